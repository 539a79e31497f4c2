import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { LocalStack } from '../../deploy/local-stack.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { openDatabase, type Database } from '../../lib/db/connect.ts';
import { migrateLatest } from '../../lib/db/migrate.ts';
import { listNodes } from '../../lib/node/repository.ts';
import { LIVE_STATES } from '../../lib/node/states.ts';
import { writeTestPool, type TestPool } from '../support/pool-config.ts';
import { startTestStack } from '../support/test-stack.ts';
import { waitFor } from '../support/wait.ts';

const JESSIE = 'ci-jessie-wikimedia';
const TRUSTY = 'ci-trusty-wikimedia';

/** The trusty label as writeTestPool writes it, with min-ready 2. */
const TRUSTY_LABEL = `  - name: ${TRUSTY}
    image: ${TRUSTY}
    ready-script: ready.sh
    min-ready: 2
    providers:
      - name: test-cloud
`;

describe('a running pool re-reads its configuration', { timeout: 240_000 }, () => {
  let pool: TestPool;
  let stack: LocalStack;
  let db: Database;
  let withTrusty: string;
  let withoutTrusty: string;

  before(async () => {
    pool = await writeTestPool({
      labels: [
        { name: JESSIE, minReady: 1 },
        { name: TRUSTY, minReady: 2 },
      ],
      maxServers: 5,
    });
    withTrusty = readFileSync(pool.configPath, 'utf8');
    assert.ok(withTrusty.includes(TRUSTY_LABEL));
    // Both images stay with the provider; only the label comes and goes.
    withoutTrusty = withTrusty.replace(TRUSTY_LABEL, '');
    writeFileSync(pool.configPath, withoutTrusty);

    const { config } = await loadConfig(pool.configPath);
    stack = await startTestStack(pool, config);
    db = openDatabase({ url: pool.databaseUrl });
    await migrateLatest(db);
  });

  after(async () => {
    await db?.destroy();
    await stack?.stop();
  });

  async function readyOf(label: string) {
    return (await listNodes(db, { states: ['ready'], label })).length;
  }

  async function liveOf(label: string) {
    return (await listNodes(db, { states: LIVE_STATES, label })).length;
  }

  it('starts with the labels of the file it was started with', async () => {
    await waitFor('one ready jessie node', 60_000, async () => (await readyOf(JESSIE)) === 1,
      pool.logsDir);
    assert.equal(await liveOf(TRUSTY), 0);
  });

  it('makes ready nodes for a label added to the file, without a restart', async () => {
    writeFileSync(pool.configPath, withTrusty);
    await waitFor('two ready trusty nodes', 60_000, async () => (await readyOf(TRUSTY)) === 2,
      pool.logsDir);
    assert.equal(await readyOf(JESSIE), 1);
  });

  it('follows a changed min-ready', async () => {
    writeFileSync(pool.configPath, withTrusty.replace('min-ready: 1', 'min-ready: 3'));
    await waitFor('three ready jessie nodes', 60_000, async () => (await readyOf(JESSIE)) === 3,
      pool.logsDir);
  });

  it('refuses an invalid file with a log line and keeps the configuration in force', async () => {
    const hostLog = join(pool.dir, 'logs', 'action-host.log');
    const invalid = withTrusty.replace('max-servers: 5', 'max-servers: -3');
    writeFileSync(pool.configPath, invalid.replace(TRUSTY_LABEL, ''));

    await waitFor('the refusal in the action host log', 30_000, async () =>
      readFileSync(hostLog, 'utf8').includes('new configuration refused'), pool.logsDir);
    const refusal = readFileSync(hostLog, 'utf8')
      .split('\n')
      .find((line) => line.includes('new configuration refused'));
    assert.match(refusal ?? '', /providers\[0\]\.max-servers: must be a non-negative integer/);

    // The trusty label's removal came in the refused file: its nodes stay, and stay ready.
    await sleep(12_000);
    assert.equal(await readyOf(TRUSTY), 2);
    assert.equal(await readyOf(JESSIE), 3);
  });

  it('deletes the ready nodes of a label removed from the file', async () => {
    writeFileSync(pool.configPath, withoutTrusty.replace('min-ready: 1', 'min-ready: 3'));
    await waitFor('trusty nodes gone', 60_000, async () => (await liveOf(TRUSTY)) === 0,
      pool.logsDir);
    assert.equal(await readyOf(JESSIE), 3);
  });
});
