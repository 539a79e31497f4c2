import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  actionNames,
  BUNDLE_BUDGET_BYTES,
  buildBundles,
  EXTERNAL_MODULES,
  readBundles,
  type ActionBundle,
} from '../../deploy/bundle.ts';

describe('the action bundles', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'whiskpool-bundles-'));
  let bundles: ActionBundle[];

  before(async () => {
    bundles = await buildBundles({ outDir });
  });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it('are one per action of functions/index.ts', async () => {
    assert.deepEqual(bundles.map((b) => b.action), await actionNames());
  });

  it('each fit the 2 MiB budget', () => {
    for (const bundle of bundles) {
      assert.ok(bundle.bytes < BUNDLE_BUDGET_BYTES, `${bundle.action}: ${bundle.bytes} bytes`);
    }
  });

  it('are CommonJS modules that export main, loadable without the repository', () => {
    for (const bundle of bundles) {
      // A copy outside the repository, as OpenWhisk holds it: no node_modules to fall back on.
      // The CommonJS extension, so that no package.json around decides the format.
      const dir = mkdtempSync(join(tmpdir(), 'whiskpool-copy-'));
      const copy = join(dir, 'action.cjs');
      copyFileSync(bundle.file, copy);
      const loaded = createRequire(copy)(copy) as { main?: unknown };
      assert.equal(typeof loaded.main, 'function', bundle.action);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keep mysql2 inside, better-sqlite3 outside, and no Postgres, Oracle or MSSQL code', () => {
    const required = (name: string) => new RegExp(`require\\(["']${name}["']\\)`);
    for (const bundle of bundles) {
      const code = readFileSync(bundle.file, 'utf8');
      assert.doesNotMatch(code, required('mysql2'), `${bundle.action} loads mysql2 from outside`);
      assert.match(code, required('better-sqlite3'), `${bundle.action} bundles better-sqlite3`);
      for (const driver of ['pg', 'tedious', 'oracledb', 'pg-query-stream']) {
        assert.doesNotMatch(code, required(driver), `${bundle.action} keeps the ${driver} dialect`);
      }
    }
  });

  it('answer a bad settings parameter with a typed error, not a crash', async () => {
    const bundle = bundles.find((b) => b.action === 'offline')!;
    const { main } = createRequire(bundle.file)(bundle.file) as {
      main: (p: Record<string, unknown>) => Promise<{ error?: { code: string } }>;
    };
    assert.equal((await main({ whiskpool: {} })).error?.code, 'WP_CONFIG_INVALID');
  });

  it('are built the same way twice, so an unchanged action deploys as unchanged', async () => {
    const again = await buildBundles({ outDir: mkdtempSync(join(tmpdir(), 'whiskpool-bundles-')) });
    assert.deepEqual(
      again.map((b) => b.sha256),
      bundles.map((b) => b.sha256),
    );
  });

  it('refuse to read a bundle that was never built', async () => {
    await assert.rejects(readBundles(outDir, ['no-such-action']), /no-such-action.*npm run build/);
  });
});
