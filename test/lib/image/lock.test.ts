import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { openDatabase, type Database } from '../../../lib/db/connect.ts';
import { migrateLatest } from '../../../lib/db/migrate.ts';
import {
  findRefreshing,
  insertRefresh,
  markDeleting,
  readyImages,
} from '../../../lib/image/repository.ts';
import { mariadbSkip, startTestMariaDb, type TestMariaDb } from '../../support/mariadb.ts';

const NOW = Date.UTC(2015, 11, 8, 14, 14, 0);

function refresh(db: Database, imageName: string, now = NOW) {
  return insertRefresh(db, {
    provider: 'wmflabs-eqiad',
    imageName,
    now,
    timeoutSeconds: 21_600,
    hostnameFor: (version) => `${imageName}-${version}`,
  });
}

/** The refresh lock, on each database whiskpool runs on. */
function lockTests(open: () => Promise<Database>) {
  let db: Database;
  before(async () => {
    db = await open();
    await migrateLatest(db);
  });
  after(async () => db?.destroy());

  it('lets exactly one of many racing refreshes of an image start', async () => {
    const started = await Promise.all(Array.from({ length: 6 }, () => refresh(db, 'jessie')));
    const winners = started.filter((image) => image !== null);
    assert.equal(winners.length, 1);
    assert.equal((await findRefreshing(db, 'wmflabs-eqiad', 'jessie'))?.id, winners[0]?.id);
  });

  it('does not hold back the refresh of another image', async () => {
    assert.ok(await refresh(db, 'trusty'));
  });

  it('frees the lock when the refresh ends, and numbers the next one after it', async () => {
    const running = await findRefreshing(db, 'wmflabs-eqiad', 'jessie');
    assert.ok(running);
    assert.ok(await markDeleting(db, running, NOW, 'setup script exited 1'));

    const next = await refresh(db, 'jessie');
    assert.ok(next, 'a new refresh may start');
    assert.equal(next.version, running.version + 1, 'versions differ within one second');
    assert.equal(next.hostname, `jessie-${running.version + 1}`);
    assert.deepEqual(await readyImages(db, 'wmflabs-eqiad', 'jessie'), []);
  });
}

describe('image refresh lock on SQLite', () => {
  lockTests(async () => openDatabase({ url: 'sqlite::memory:' }));
});

describe('image refresh lock on MariaDB', { skip: mariadbSkip() }, () => {
  let mariadb: TestMariaDb;
  after(async () => mariadb?.stop());
  lockTests(async () => {
    mariadb = await startTestMariaDb();
    return openDatabase({ url: await mariadb.createDatabase() });
  });
});
