import type { Database } from '../../../lib/db/connect.ts';

/**
 * Every row of every table of a SQLite database, in a form two calls can be compared in:
 * "changes nothing" means the two snapshots are equal.
 */
export async function snapshotRows(db: Database): Promise<Record<string, unknown[]>> {
  const tables = (await db('sqlite_master')
    .where({ type: 'table' })
    .orderBy('name')
    .pluck('name')) as string[];

  const rows: Record<string, unknown[]> = {};
  for (const table of tables) {
    rows[table] = await db.raw(`SELECT * FROM "${table}" ORDER BY rowid`);
  }
  return rows;
}
