import type { Knex } from 'knex';
// Knex's own classes, extended below: Knex has no option for how SQLite transactions begin.
import BetterSqlite3Client from 'knex/lib/dialects/better-sqlite3/index.js';
import SqliteTransaction from 'knex/lib/dialects/sqlite3/execution/sqlite-transaction.js';

/**
 * A transaction that takes SQLite's write lock when it begins. Knex begins them DEFERRED: a
 * transaction that reads and then writes holds a snapshot, and when another process (the CLI,
 * a second action host) has written since, SQLite refuses the write at once with "database is
 * locked", busy_timeout or not. Begun IMMEDIATE, the transaction waits its turn at the start.
 */
class ImmediateTransaction extends SqliteTransaction {
  override begin(connection: unknown) {
    return this.query(connection, 'BEGIN IMMEDIATE;');
  }
}

/** better-sqlite3 as Knex drives it, with every transaction begun IMMEDIATE. */
export class ImmediateSqliteClient extends BetterSqlite3Client {
  override transaction(...args: unknown[]): Knex.Transaction {
    return new ImmediateTransaction(this, ...args) as unknown as Knex.Transaction;
  }
}
