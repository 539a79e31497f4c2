import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { buildBundles } from '../../deploy/bundle.ts';
import type { ActivationRecord } from '../../deploy/action-proxy/activation.ts';
import { openDatabase } from '../../lib/db/connect.ts';
import { migrateLatest } from '../../lib/db/migrate.ts';
import { createLogger } from '../../lib/log.ts';
import { newEd25519KeyPair } from '../../lib/ssh/keys.ts';
import { startOpenWhiskSim, type OpenWhiskSim } from '../../sim/openwhisk/index.ts';
import { mariadbSkip, startTestMariaDb, type TestMariaDb } from '../support/mariadb.ts';
import { describePoolEndToEnd } from '../support/pool-e2e.ts';
import type { TestPool } from '../support/pool-config.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const API_KEY = `${randomUUID()}:${randomBytes(32).toString('hex')}`;
const ACTIONS = ['reconcile', 'spawn', 'ready-check', 'register', 'offline', 'delete'];

let mariadb: TestMariaDb | undefined;
let databaseUrl = '';
let sim: OpenWhiskSim | undefined;
let pool: TestPool | undefined;
const machineKey = newEd25519KeyPair();
const bundleDir = mkdtempSync(join(tmpdir(), 'whiskpool-bundles-'));

/** `bin/whiskpool` as an operator runs it, with the API key in the environment. */
async function whiskpool(...args: string[]): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'cli/main.ts'), '-c', pool!.configPath, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, WHISKPOOL_OW_AUTH: API_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const text = Buffer.concat(out).toString('utf8');
  const logs = Buffer.concat(err).toString('utf8');
  assert.equal(code, 0, `whiskpool ${args.join(' ')} failed:\n${text}${logs}`);
  for (const secret of secrets()) {
    assert.ok(!(text + logs).includes(secret), `whiskpool ${args[0]} shows no secret`);
  }
  return text;
}

function api(...extra: string[]) {
  return ['--apihost', sim!.url, '--package', 'whiskpool', ...extra];
}

function target(...extra: string[]) {
  return api('--bundles', bundleDir, ...extra);
}

/** Passwords and keys the configuration and database URL hold, which no output may show. */
function secrets(): string[] {
  return [
    'test-cloud-password',
    'test-jenkins-api-token',
    decodeURIComponent(new URL(databaseUrl).password),
    API_KEY.split(':')[1]!,
    machineKey.private.split('\n')[1]!,
  ];
}

after(async () => {
  await sim?.close();
  await mariadb?.stop();
  rmSync(bundleDir, { recursive: true, force: true });
});

describePoolEndToEnd('the pool deployed to OpenWhisk, dispatched through its API', {
  skip: mariadbSkip(),
  async database() {
    mariadb = await startTestMariaDb();
    databaseUrl = await mariadb.createDatabase();
    const db = openDatabase({ url: databaseUrl });
    await migrateLatest(db);
    await db.destroy();
    return databaseUrl;
  },

  async prepare(testPool) {
    pool = testPool;
    await buildBundles({ outDir: bundleDir });
    sim = await startOpenWhiskSim({
      apiKey: API_KEY,
      log: createLogger({ name: 'sim.openwhisk', level: 'warn' }),
    });

    // Deploy carries the machines' key and script-dir to the actions: both must be there.
    const keyPath = join(testPool.dir, 'id_ed25519');
    writeFileSync(keyPath, machineKey.private, { mode: 0o600 });
    cpSync(join(ROOT, 'config/scripts'), join(testPool.dir, 'scripts'), { recursive: true });
    const plan = await whiskpool('deploy', ...target('--dry-run'));
    for (const action of ACTIONS) {
      assert.match(plan, new RegExp(`create +action +whiskpool/${action} `));
    }
    assert.match(plan, /create +package +whiskpool /);
    assert.match(plan, /create +alarm +whiskpool-sweep +cron "/);
    assert.match(plan, /create +rule +whiskpool-sweep +whiskpool-sweep -> whiskpool\/reconcile/);
    assert.deepEqual(sim.store.counts(), { packages: 0, actions: 0, triggers: 0, rules: 0 });

    const deployed = await whiskpool('deploy', ...target());
    assert.match(deployed, /\d+ to create, 0 unchanged/);
    // The actions' containers must log in with the key deploy carried, not with this disk's.
    writeFileSync(keyPath, 'not a key: the deployed actions carry their own\n');
    return { openwhisk: { apihost: sim.url, apiKey: API_KEY, packageName: 'whiskpool' } };
  },

  moreTests() {
    it('sent OpenWhisk no request of a shape it refuses', () => {
      assert.deepEqual(sim!.refusals(), []);
    });

    it('ran every step in containers of its own, through the action proxy', (t) => {
      const containers = sim!.activations.pool.containers();
      for (const action of ACTIONS) {
        assert.ok((containers[`/guest/whiskpool/${action}`] ?? 0) >= 1, `containers of ${action}`);
      }
      report(t, sim!.activations.list('guest'));
    });

    it('runs the sweep when the cleanup alarm fires, through its rule', async () => {
      const firedAt = Date.now();
      assert.equal(sim!.fireAlarms() >= 1, true);
      await waitFor('the sweep to run', 60_000, async () =>
        sim!.activations
          .list('guest', 'reconcile')
          .some((r) => r.start >= firedAt && sweepSummary(r).outcome === 'swept'),
      );
    });

    it('changes nothing when deployed a second time', async () => {
      writeFileSync(join(pool!.dir, 'id_ed25519'), machineKey.private, { mode: 0o600 });
      const again = await whiskpool('deploy', ...target());
      const changed = again.split('\n').filter((line) => line && !line.startsWith('unchanged'));
      assert.deepEqual(changed, ['no change']);
    });
  },
});

describe('undeploying from OpenWhisk', { skip: mariadbSkip() }, () => {
  it('leaves no package, action, trigger, rule or alarm behind', async () => {
    const preview = await whiskpool('undeploy', ...api('--dry-run'));
    assert.match(preview, /delete +package +whiskpool/);
    assert.notDeepEqual(sim!.store.counts(), { packages: 0, actions: 0, triggers: 0, rules: 0 });

    const removed = await whiskpool('undeploy', ...api());
    assert.match(removed, /to delete/);
    assert.deepEqual(sim!.store.counts(), { packages: 0, actions: 0, triggers: 0, rules: 0 });
    assert.deepEqual(sim!.alarms(), []);
    assert.equal((await whiskpool('undeploy', ...api())).trim(), 'nothing deployed');
  });
});

/** The summary of a reconcile result; a sweep's says `outcome: 'swept'`. */
function sweepSummary(record: ActivationRecord): Record<string, unknown> {
  const summary = (record.response.result as { summary?: Record<string, unknown> }).summary;
  return summary ?? {};
}

/** Cold and warm activation times, as measured through the proxy, for the test's output. */
function report(t: { diagnostic(message: string): void }, records: ActivationRecord[]) {
  const initTime = (r: ActivationRecord) =>
    r.annotations.find((a) => a.key === 'initTime')?.value as number | undefined;
  const cold = records.filter((r) => initTime(r) !== undefined);
  const warm = records.filter((r) => initTime(r) === undefined && r.name !== 'alarm');
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const coldInit = median(cold.map((r) => initTime(r)!));
  const coldRun = median(cold.map((r) => r.duration));
  const warmRun = median(warm.map((r) => r.duration));
  t.diagnostic(
    `activations ${records.length}: cold ${cold.length} (median init ${coldInit} ms, ` +
      `median duration ${coldRun} ms), warm ${warm.length} (median duration ${warmRun} ms)`,
  );
}
