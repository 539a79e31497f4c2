import type { Knex } from 'knex';

import { isMysql } from '../db/connect.ts';

type Queryable = Knex | Knex.Transaction;

/**
 * Small named values that stateless invocations share through the `pool_state` table: the
 * sweep's round and leak candidates, provider pauses, call-rate slots.
 */
export async function readState<T>(db: Queryable, name: string, fallback: T): Promise<T> {
  const row = (await db('pool_state').where({ name }).first()) as { value: string } | undefined;
  if (!row) return fallback;
  try {
    return JSON.parse(row.value) as T;
  } catch {
    return fallback;
  }
}

export async function writeState(db: Queryable, name: string, value: unknown, now: number) {
  const text = JSON.stringify(value);
  await db('pool_state')
    .insert({ name, value: text, updated_at: now })
    .onConflict('name')
    .merge({ value: text, updated_at: now });
}

/**
 * Reads a value under a row lock (MySQL) inside `trx`, creating the row if needed, so that
 * read-modify-write sequences on it are serialised. SQLite serialises writers already.
 */
export async function lockState<T>(trx: Knex.Transaction, name: string, fallback: T): Promise<T> {
  const query = trx('pool_state').where({ name });
  if (isMysql(trx)) query.forUpdate();
  const row = (await query.first()) as { value: string } | undefined;
  if (row) {
    try {
      return JSON.parse(row.value) as T;
    } catch {
      return fallback;
    }
  }
  await trx('pool_state')
    .insert({ name, value: JSON.stringify(fallback), updated_at: 0 })
    .onConflict('name')
    .ignore();
  if (isMysql(trx)) await trx('pool_state').where({ name }).forUpdate();
  return fallback;
}
