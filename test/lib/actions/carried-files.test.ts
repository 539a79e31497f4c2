import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';

import { actionSettings } from '../../../cli/config-file.ts';
import {
  carriedPrivateKey,
  carriedScripts,
  withCarriedFiles,
} from '../../../lib/actions/carried-files.ts';
import { parseSettings } from '../../../lib/actions/settings.ts';
import { loadConfig } from '../../../lib/config/index.ts';
import { isWhiskpoolError } from '../../../lib/errors.ts';
import { newEd25519KeyPair } from '../../../lib/ssh/keys.ts';
import { writeTestPool, type TestPool } from '../../support/pool-config.ts';

interface Setup {
  pool: TestPool;
  keyPath: string;
  scriptDir: string;
}

async function setup(t: TestContext, options: { key?: boolean } = {}): Promise<Setup> {
  const pool = await writeTestPool({
    labels: [{ name: 'ci-jessie-wikimedia', minReady: 1 }],
    maxServers: 2,
    extra: 'script-dir: scripts-placeholder\n',
  });
  t.after(() => rmSync(pool.dir, { recursive: true, force: true }));

  const scriptDir = join(pool.dir, 'scripts');
  mkdirSync(join(scriptDir, 'subdirectory'), { recursive: true });
  writeFileSync(join(scriptDir, 'setup_node.sh'), '#!/bin/bash\necho set up\n', { mode: 0o755 });
  writeFileSync(join(scriptDir, 'ready.sh'), 'true\n', { mode: 0o644 });
  // An editor's lock file: a link to nowhere, skipped like the subdirectory.
  symlinkSync('/nonexistent/owner@host', join(scriptDir, '.#ready.sh'));
  const yaml = readFileSync(pool.configPath, 'utf8').replace('scripts-placeholder', scriptDir);
  writeFileSync(pool.configPath, yaml);

  const keyPath = join(pool.dir, 'id_ed25519');
  if (options.key !== false) {
    writeFileSync(keyPath, newEd25519KeyPair().private, { mode: 0o600 });
  }
  return { pool, keyPath, scriptDir };
}

async function settingsOf(pool: TestPool) {
  return actionSettings(await loadConfig(pool.configPath));
}

describe('files deploy carries to the actions', () => {
  it('carries each private key and every file of script-dir, modes kept', async (t) => {
    const { pool, keyPath, scriptDir } = await setup(t);

    const settings = parseSettings(await withCarriedFiles(await settingsOf(pool)));

    assert.deepEqual(carriedPrivateKey(settings.files, keyPath), readFileSync(keyPath));
    assert.equal(carriedPrivateKey(settings.files, '/elsewhere/id_rsa'), undefined);
    assert.deepEqual(
      carriedScripts(settings.files)?.map((f) => [f.name, f.mode, f.content.toString()]),
      [
        ['ready.sh', 0o644, 'true\n'],
        ['setup_node.sh', 0o755, '#!/bin/bash\necho set up\n'],
      ],
      `the regular files of ${scriptDir}, not its subdirectory nor a dangling link`,
    );
  });

  it('gives warm containers a new version when a carried file changes, only then', async (t) => {
    const { pool, scriptDir } = await setup(t);
    const first = await withCarriedFiles(await settingsOf(pool));
    const same = await withCarriedFiles(await settingsOf(pool));

    writeFileSync(join(scriptDir, 'ready.sh'), 'exit 0\n');
    const changed = await withCarriedFiles(await settingsOf(pool));

    assert.equal(same.configVersion, first.configVersion);
    assert.notEqual(changed.configVersion, first.configVersion);
  });

  it('refuses a private key it cannot read, naming the key path', async (t) => {
    const { pool, keyPath } = await setup(t, { key: false });

    await assert.rejects(withCarriedFiles(await settingsOf(pool)), (error: unknown) => {
      assert.ok(isWhiskpoolError(error, 'WP_CONFIG_INVALID'));
      assert.match(error.message, /^providers\[0\]\.images\[0\]\.private-key: /);
      assert.ok(error.message.includes(keyPath));
      return true;
    });
  });

  it('refuses a private-key file that holds no key ssh2 can log in with', async (t) => {
    const { pool, keyPath } = await setup(t, { key: false });
    const keys = newEd25519KeyPair();
    const unusable = {
      'a public key': keys.public,
      'a truncated key': keys.private.slice(0, 120),
      'not a key at all': 'ssh-rsa is not how a private key starts\n',
    };

    for (const [what, text] of Object.entries(unusable)) {
      writeFileSync(keyPath, text);
      await assert.rejects(withCarriedFiles(await settingsOf(pool)), (error: unknown) => {
        assert.ok(isWhiskpoolError(error, 'WP_CONFIG_INVALID'), what);
        assert.ok(error.message.startsWith(`providers[0].images[0].private-key: ${keyPath} `));
        assert.match(error.message, /is no usable key: \S/, what);
        return true;
      });
    }
  });

  it("refuses settings over OpenWhisk's parameter limit, saying what takes the room", async (t) => {
    const { pool, scriptDir } = await setup(t);
    writeFileSync(join(scriptDir, 'toolchain.tar'), Buffer.alloc(900 * 1024, 7));

    await assert.rejects(withCarriedFiles(await settingsOf(pool)), (error: unknown) => {
      assert.ok(isWhiskpoolError(error, 'WP_CONFIG_INVALID'));
      assert.match(error.message, /over OpenWhisk's 1024 KiB parameter limit/);
      assert.match(error.message, /script-dir takes 12\d\d KiB/);
      return true;
    });
  });
});
