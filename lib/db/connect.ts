import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import knex, { type Knex } from 'knex';

import { ImmediateSqliteClient } from './sqlite-client.ts';

export type Database = Knex;

export interface DatabaseOptions {
  /** `sqlite:PATH` (the embedded default) or `mysql://user:pass@host:port/db`. */
  url: string;
  /**
   * Connections kept by this process. Small on purpose: an action container serves one
   * invocation at a time, so the count follows concurrency, never the number of machines.
   */
  poolMax?: number;
}

/** Opens the database named by `url`. The caller closes it with `db.destroy()`. */
export function openDatabase(options: DatabaseOptions): Database {
  const { url } = options;

  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length);
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });

    return knex({
      client: ImmediateSqliteClient as unknown as typeof Knex.Client,
      connection: { filename },
      useNullAsDefault: true,
      // SQLite allows one writer; one connection per process makes transactions queue in
      // process instead of failing with SQLITE_BUSY.
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null) => void) {
          conn.pragma('journal_mode = WAL');
          conn.pragma('busy_timeout = 10000');
          conn.pragma('synchronous = NORMAL');
          reusePreparedStatements(conn);
          done(null);
        },
      },
    });
  }

  if (url.startsWith('mysql://')) {
    return knex({
      client: 'mysql2',
      connection: url,
      pool: { min: 0, max: options.poolMax ?? 4, idleTimeoutMillis: 10_000 },
    });
  }

  throw new Error(`database url must start with sqlite: or mysql://, got "${url.split(':')[0]}:"`);
}

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

/** Statements kept per connection; Knex writes a few dozen distinct ones. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Knex prepares every query afresh, and on better-sqlite3 preparing costs about as much CPU
 * as running. A statement is only ever run to completion (Knex calls `all` or `run`, both
 * synchronous), so one per SQL text can be reused; SQLite re-prepares it by itself if the
 * schema changes under it.
 */
function reusePreparedStatements(conn: SqliteConnection) {
  const prepare = conn.prepare.bind(conn);
  const statements = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
      statement = prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

export function isMysql(db: Database): boolean {
  const client = db.client.config.client;
  return client === 'mysql2' || client === 'mysql';
}
