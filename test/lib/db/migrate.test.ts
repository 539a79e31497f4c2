import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { openDatabase, type Database } from '../../../lib/db/connect.ts';
import {
  migrateDown,
  migrateLatest,
  pendingMigrations,
  releaseMigrationLock,
} from '../../../lib/db/migrate.ts';
import { isWhiskpoolError } from '../../../lib/errors.ts';

function databaseFile(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-migrate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return `sqlite:${join(dir, 'state.sqlite')}`;
}

function open(t: TestContext, url: string): Database {
  const db = openDatabase({ url });
  t.after(() => db.destroy());
  return db;
}

/** A database whose migrations are all pending and whose lock another process holds. */
async function lockedFreshDatabase(t: TestContext): Promise<Database> {
  const db = open(t, databaseFile(t));
  await migrateLatest(db);
  await migrateDown(db);
  await db('knex_migrations_lock').update({ is_locked: 1 });
  return db;
}

describe('schema migration', () => {
  it('brings a fresh database up when several processes start on it at once', async (t) => {
    const url = databaseFile(t);
    const processes = Array.from({ length: 6 }, () => open(t, url));

    await Promise.all(processes.map((db) => migrateLatest(db)));

    for (const db of processes) assert.deepEqual(await pendingMigrations(db), []);
    assert.ok(await processes[0]!.schema.hasTable('nodes'));
  });

  it('waits for the process holding the lock, then finds nothing left to do', async (t) => {
    const db = await lockedFreshDatabase(t);

    const waiting = migrateLatest(db, { lockWaitMs: 10_000 });
    await sleep(300);
    await releaseMigrationLock(db);
    await waiting;

    assert.deepEqual(await pendingMigrations(db), []);
  });

  it('gives up on a lock nobody releases, naming the way out, and changes nothing', async (t) => {
    const db = await lockedFreshDatabase(t);
    const pendingBefore = await pendingMigrations(db);

    await assert.rejects(migrateLatest(db, { lockWaitMs: 300 }), (error: unknown) => {
      assert.ok(isWhiskpoolError(error, 'WP_MIGRATION_LOCKED'));
      assert.match(error.message, /migrate --unlock/);
      return true;
    });

    assert.deepEqual(await pendingMigrations(db), pendingBefore);
    assert.equal(await db.schema.hasTable('nodes'), false);
  });
});
