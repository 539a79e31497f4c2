import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { openDatabase, type Database } from '../../../lib/db/connect.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function sqlite(t: TestContext, file = 'state.sqlite'): Database {
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-connect-'));
  const db = openDatabase({ url: `sqlite:${join(dir, file)}` });
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

  it('let a transaction that read write, though another process wrote meanwhile', async (t) => {
    const db = sqlite(t);
    await db.schema.createTable('counters', (table) => {
      table.string('name').primary();
      table.integer('value');
    });
    await db('counters').insert([{ name: 'ours', value: 1 }, { name: 'theirs', value: 1 }]);
    const filename = (db.client.config.connection as { filename: string }).filename;

    let other: Promise<{ code: number | null; stderr: string }> | undefined;
    await db.transaction(async (trx) => {
      const row = (await trx('counters').where({ name: 'ours' }).first()) as { value: number };
      // Another process (the CLI, say) writes while this transaction is open.
      other = writeFromAnotherProcess(filename);
      await sleep(300);
      await trx('counters').where({ name: 'ours' }).update({ value: row.value + 1 });
    });

    const result = await other!;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await db('counters').orderBy('name'), [
      { name: 'ours', value: 2 },
      { name: 'theirs', value: 2 },
    ]);
  });
});

/** One UPDATE through better-sqlite3 in a process of its own, waiting as long as it must. */
function writeFromAnotherProcess(filename: string) {
  const code = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('busy_timeout = 10000');
    db.prepare("update counters set value = value + 1 where name = 'theirs'").run();`;
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['-e', code, filename], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (exit) => resolve({ code: exit, stderr }));
  });
}
