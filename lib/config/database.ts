import type { DatabaseConfig, SecretOrigin } from './types.ts';

/**
 * Reads a database URL in either of the forms operators bring:
 *
 * - SQLAlchemy, as nodepool's `dburi`: `mysql://u:p@host/db`, `mysql+pymysql://...`,
 *   `sqlite:///relative.db`, `sqlite:////absolute.db`, `sqlite://` (in memory)
 * - whiskpool's `database`: the same MySQL form, or `sqlite:PATH` / `sqlite::memory:`
 *
 * Throws a plain Error whose message never contains the URL, because the URL may hold a
 * password.
 */
export function parseDatabaseUrl(text: string, from: SecretOrigin): DatabaseConfig {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) throw new Error('must be a URL such as mysql://USER:PASS@HOST/DB');

  const dialect = scheme.split('+')[0];
  if (dialect === 'sqlite') return { dialect: 'sqlite', filename: sqliteFilename(text), from };
  if (dialect !== 'mysql') {
    throw new Error(`uses "${scheme}", but whiskpool stores state only in mysql or sqlite`);
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('is not a valid mysql:// URL');
  }

  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (url.hostname === '') throw new Error('has no host');
  if (database === '' || database.includes('/')) throw new Error('must name one database');

  return {
    dialect: 'mysql',
    host: url.hostname,
    port: url.port === '' ? 3306 : Number(url.port),
    ...(url.username === '' ? {} : { user: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    database,
    options: Object.fromEntries(url.searchParams),
    from,
  };
}

function sqliteFilename(text: string): string {
  const rest = text.slice(text.indexOf(':') + 1);

  // SQLAlchemy puts an empty host between `//` and the path: three slashes mean a relative
  // path, four an absolute one, none at all an in-memory database.
  if (rest.startsWith('//')) {
    const path = rest.slice(2);
    if (path === '' || path === '/') return ':memory:';
    return path.slice(1);
  }

  if (rest === '') throw new Error('names no sqlite file; write sqlite:PATH');
  return rest;
}

/** The URL with any password replaced, safe for messages and listings. */
export function redactDatabaseUrl(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/, '$1:[secret]@');
}
