import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { DEFAULT_MAX_CONTAINERS } from '../../deploy/action-proxy/pool.ts';
import { actionNames, buildBundles } from '../../deploy/bundle.ts';
import type { LocalStack } from '../../deploy/local-stack.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { openDatabase, type Database } from '../../lib/db/connect.ts';
import { migrateLatest } from '../../lib/db/migrate.ts';
import { listNodes } from '../../lib/node/repository.ts';
import { mariadbSkip, startTestMariaDb, type TestMariaDb } from '../support/mariadb.ts';
import { writeTestPool, type TestPool } from '../support/pool-config.ts';
import { startTestStack } from '../support/test-stack.ts';
import { waitFor } from '../support/wait.ts';

const MAX_SERVERS = 200;
/** Connections one action container keeps at most (lib/actions/resources.ts). */
const CONTAINER_POOL_MAX = 2;
/** The test's own handle and the root session that reads the status. */
const TEST_CONNECTIONS = 2;

const options = { skip: mariadbSkip(), timeout: 600_000 };

describe('database connections with a pool of 200 machines', options, () => {
  let mariadb: TestMariaDb;
  let pool: TestPool;
  let stack: LocalStack;
  let db: Database;
  const bundleDir = mkdtempSync(join(tmpdir(), 'whiskpool-bundles-'));

  before(async () => {
    mariadb = await startTestMariaDb();
    const databaseUrl = await mariadb.createDatabase();
    pool = await writeTestPool({
      labels: [
        { name: 'ci-jessie-wikimedia', minReady: MAX_SERVERS / 2 },
        { name: 'ci-trusty-wikimedia', minReady: MAX_SERVERS / 2 },
      ],
      maxServers: MAX_SERVERS,
      databaseUrl,
    });
    db = openDatabase({ url: databaseUrl, poolMax: 1 });
    await migrateLatest(db);
    await buildBundles({ outDir: bundleDir });

    const { config } = await loadConfig(pool.configPath);
    stack = await startTestStack(pool, config, {
      gearmanPollMs: 1000,
      actionHostMode: 'proxy',
      bundleDir,
    });
  });

  after(async () => {
    await db?.destroy();
    await stack?.stop();
    await mariadb?.stop();
    rmSync(bundleDir, { recursive: true, force: true });
  });

  it('fills the pool to max-servers with ready machines', async () => {
    await waitFor('200 ready machines', 480_000, async () => {
      const ready = await listNodes(db, { states: ['ready'] });
      return ready.length === MAX_SERVERS;
    });
  });

  it('needs no more connections than its containers hold, whatever the pool size', async (t) => {
    const used = await mariadb.maxUsedConnections();
    const containers = (await actionNames()).length * DEFAULT_MAX_CONTAINERS;
    const bound = containers * CONTAINER_POOL_MAX + TEST_CONNECTIONS;
    t.diagnostic(`Max_used_connections ${used} for ${MAX_SERVERS} machines (bound ${bound})`);
    assert.ok(used <= bound, `${used} connections, more than ${bound}`);
    // Nodepool held one per machine; the bound is the same for 20 machines or 2000.
    assert.ok(used < MAX_SERVERS, `${used} connections for ${MAX_SERVERS} machines`);
  });
});
