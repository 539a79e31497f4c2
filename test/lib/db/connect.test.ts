import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';

import { openDatabase, type Database } from '../../../lib/db/connect.ts';

function sqlite(t: TestContext): Database {
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-connect-'));
  const db = openDatabase({ url: `sqlite:${join(dir, 'state.sqlite')}` });
  t.after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

describe('SQLite connections', () => {
  it('answer a query run again and again with the rows of its own bindings', async (t) => {
    const db = sqlite(t);
    await db.schema.createTable('things', (table) => {
      table.increments('id');
      table.string('name');
    });
    for (const name of ['a', 'b', 'c']) await db('things').insert({ name });

    for (const [id, name] of [[2, 'b'], [1, 'a'], [3, 'c'], [2, 'b']] as const) {
      assert.deepEqual(await db('things').where({ id }).first(), { id, name });
    }
    assert.equal(await db('things').where({ id: 9 }).first(), undefined);
  });

  it('see a column added after a query was first run', async (t) => {
    const db = sqlite(t);
    await db.schema.createTable('things', (table) => {
      table.increments('id');
    });
    await db('things').insert({});
    assert.deepEqual(await db('things').where({ id: 1 }).first(), { id: 1 });

    await db.schema.alterTable('things', (table) => {
      table.string('name').defaultTo('new');
    });
    assert.deepEqual(await db('things').where({ id: 1 }).first(), { id: 1, name: 'new' });
  });

  it('keep working past the number of statements they keep', async (t) => {
    const db = sqlite(t);
    await db.schema.createTable('things', (table) => {
      table.increments('id');
    });
    await db('things').insert({});
    for (let i = 0; i < 600; i++) {
      const row = (await db.raw(`select id, ${i} as n from things`)) as { n: number }[];
      assert.equal(row[0]?.n, i);
    }
  });

  it('are in WAL mode with synchronous NORMAL', async (t) => {
    const db = sqlite(t);
    assert.deepEqual(await db.raw('pragma journal_mode'), [{ journal_mode: 'wal' }]);
    assert.deepEqual(await db.raw('pragma synchronous'), [{ synchronous: 1 }]);
  });
});
