import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { openDatabase, type Database } from '../../lib/db/connect.ts';
import { migrateDown, migrateLatest } from '../../lib/db/migrate.ts';
import { mariadbSkip, startTestMariaDb, type TestMariaDb } from '../support/mariadb.ts';

const skip = mariadbSkip();

describe('migrations on MariaDB', { skip }, () => {
  let mariadb: TestMariaDb;
  let db: Database;

  before(async () => {
    mariadb = await startTestMariaDb();
    db = openDatabase({ url: await mariadb.createDatabase() });
  });

  after(async () => {
    await db?.destroy();
    await mariadb?.stop();
  });

  async function tables(): Promise<Record<string, string>> {
    const rows = (await db.raw(
      'SELECT TABLE_NAME AS name, ENGINE AS engine FROM information_schema.TABLES ' +
        'WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME',
    )) as [{ name: string; engine: string }[]];
    return Object.fromEntries(rows[0].map((row) => [row.name, row.engine]));
  }

  it('run up to the latest schema, every table on InnoDB for row locks', async () => {
    await migrateLatest(db);
    const found = await tables();
    for (const table of ['nodes', 'node_transitions', 'images', 'label_demand', 'pool_state']) {
      assert.equal(found[table], 'InnoDB', `table ${table}`);
    }
  });

  it('run all the way down, leaving only the migration bookkeeping', async () => {
    await migrateDown(db);
    assert.deepEqual(Object.keys(await tables()).sort(), [
      'knex_migrations',
      'knex_migrations_lock',
    ]);
    const [rows] = (await db.raw('SELECT COUNT(*) AS n FROM knex_migrations')) as [{ n: number }[]];
    assert.equal(Number(rows[0]?.n), 0);
  });

  it('run up again after a full rollback, and a second run changes nothing', async () => {
    await migrateLatest(db);
    const first = await tables();
    await migrateLatest(db);
    assert.deepEqual(await tables(), first);
    assert.ok('nodes' in first);
  });
});
