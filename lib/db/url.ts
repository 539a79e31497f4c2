import type { DatabaseConfig } from '../config/index.ts';

/** Where the embedded default keeps its state when the configuration names no database. */
export const DEFAULT_DATABASE_URL = 'sqlite:var/whiskpool.sqlite';

/** The connection URL `openDatabase` takes, from the configuration's parsed form. */
export function databaseUrlOf(database: DatabaseConfig | undefined): string {
  if (!database) return DEFAULT_DATABASE_URL;
  if (database.dialect === 'sqlite') return `sqlite:${database.filename}`;

  const auth =
    database.user === undefined
      ? ''
      : `${encodeURIComponent(database.user)}${
          database.password === undefined ? '' : `:${encodeURIComponent(database.password)}`
        }@`;
  const query = new URLSearchParams(database.options).toString();
  const path = `/${encodeURIComponent(database.database)}${query ? `?${query}` : ''}`;
  return `mysql://${auth}${database.host}:${database.port}${path}`;
}
