import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseDatabaseUrl, redactDatabaseUrl } from '../../../lib/config/database.ts';

const mysql = (host: string, port: number, database: string, extra: object = {}) => ({
  dialect: 'mysql',
  host,
  port,
  database,
  options: {},
  ...extra,
});

const PARSED: [string, object][] = [
  [
    'mysql://nodepool:s3cret@localhost/nodepool',
    mysql('localhost', 3306, 'nodepool', { user: 'nodepool', password: 's3cret' }),
  ],
  [
    'mysql+pymysql://np:p%40ss@db.eqiad.wmnet:3307/nodepool?charset=utf8',
    mysql('db.eqiad.wmnet', 3307, 'nodepool', {
      user: 'np',
      password: 'p@ss',
      options: { charset: 'utf8' },
    }),
  ],
  ['mysql://127.0.0.1/whiskpool', mysql('127.0.0.1', 3306, 'whiskpool')],
  ['sqlite:/var/lib/whiskpool.db', { dialect: 'sqlite', filename: '/var/lib/whiskpool.db' }],
  ['sqlite:state.db', { dialect: 'sqlite', filename: 'state.db' }],
  ['sqlite::memory:', { dialect: 'sqlite', filename: ':memory:' }],
  ['sqlite:///relative/nodepool.db', { dialect: 'sqlite', filename: 'relative/nodepool.db' }],
  ['sqlite:////var/lib/np/nodepool.db', { dialect: 'sqlite', filename: '/var/lib/np/nodepool.db' }],
  ['sqlite://', { dialect: 'sqlite', filename: ':memory:' }],
];

const REFUSED: [string, string][] = [
  ['postgresql://np:hunter2@db/np', 'uses "postgresql"'],
  ['mysql://np:hunter2@db', 'must name one database'],
  ['mysql://np:hunter2@db/a/b', 'must name one database'],
  ['localhost/nodepool', 'must be a URL'],
  ['sqlite:', 'names no sqlite file'],
];

describe('database URLs', () => {
  for (const [text, expected] of PARSED) {
    test(`${redactDatabaseUrl(text)} is read`, () => {
      const parsed = parseDatabaseUrl(text, 'nodepool.yaml');
      assert.deepEqual(parsed, { ...expected, from: 'nodepool.yaml' });
    });
  }

  for (const [text, reason] of REFUSED) {
    test(`${redactDatabaseUrl(text)} is refused without echoing the password`, () => {
      assert.throws(
        () => parseDatabaseUrl(text, 'environment'),
        (error: unknown) => {
          const message = (error as Error).message;
          assert.ok(message.includes(reason), message);
          assert.ok(!message.includes('hunter2'), message);
          return true;
        },
      );
    });
  }

  test('redaction hides the password and keeps user and host', () => {
    assert.equal(
      redactDatabaseUrl('mysql+pymysql://nodepool:hunter2@db.example.org/nodepool'),
      'mysql+pymysql://nodepool:[secret]@db.example.org/nodepool',
    );
    const plain = 'mysql://db.example.org/nodepool';
    assert.equal(redactDatabaseUrl(plain), plain);
  });
});
