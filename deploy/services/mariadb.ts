import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

import mysql from 'mysql2/promise';

import { startChild, waitForPort, type Child } from './child.ts';

export interface MariaDbService extends Child {
  readonly port: number;
  /** The server's own Unix socket, where root logs in without a password. */
  readonly socket: string;
  /** Runs statements as root over the socket, one connection per call. */
  asRoot<T = unknown>(sql: string, values?: unknown[]): Promise<T>;
}

export interface MariaDbOptions {
  /** Never 3306: that port belongs to whatever MariaDB the machine already runs. */
  port: number;
  /** The server's data directory is created here on first start and reused afterwards. */
  dataDir: string;
  output?: NodeJS.WritableStream;
  maxConnections?: number;
}

/**
 * Starts Debian's mariadbd on 127.0.0.1 with a data directory of its own, apart from any
 * system MariaDB: its own port, socket and pid file, and no option files read.
 */
export async function startMariaDb(options: MariaDbOptions): Promise<MariaDbService> {
  if (options.port === 3306) {
    throw new Error('refusing port 3306: it belongs to the system MariaDB');
  }
  const data = join(options.dataDir, 'data');
  const socket = join(options.dataDir, 'mariadbd.sock');
  mkdirSync(options.dataDir, { recursive: true });
  if (!existsSync(join(data, 'mysql'))) await installDataDir(data, options.dataDir);

  const child = startChild({
    name: 'mariadbd',
    command: findMariaDbCommand('mariadbd') ?? 'mariadbd',
    args: [
      // Must come first: no /etc/mysql option file may point this server elsewhere.
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--pid-file=${join(options.dataDir, 'mariadbd.pid')}`,
      `--log-error=${join(options.dataDir, 'error.log')}`,
      `--port=${options.port}`,
      '--bind-address=127.0.0.1',
      '--skip-networking=0',
      '--skip-name-resolve',
      // Tests and the embedded stack run as root; the server refuses that unless told so.
      '--user=root',
      `--max-connections=${options.maxConnections ?? 500}`,
      '--innodb-buffer-pool-size=64M',
      // A throwaway server: losing the last second of commits on a crash is acceptable.
      '--innodb-flush-log-at-trx-commit=2',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
    ],
    output: options.output,
  });
  try {
    await waitForPort(options.port, '127.0.0.1', 60_000);
  } catch (error) {
    await child.stop();
    throw new Error(`mariadbd did not start; see ${join(options.dataDir, 'error.log')}`, {
      cause: error,
    });
  }

  const service: MariaDbService = {
    ...child,
    port: options.port,
    socket,
    // A clean shutdown flushes InnoDB, which takes longer than other services' grace.
    stop: (graceMs = 30_000) => child.stop(graceMs),
    async asRoot<T>(sql: string, values?: unknown[]) {
      const connection = await mysql.createConnection({ socketPath: socket, user: 'root' });
      try {
        const [rows] = await connection.query(sql, values);
        return rows as T;
      } finally {
        await connection.end();
      }
    },
  };
  await lockDownRoot(service);
  return service;
}

/**
 * mariadb-install-db makes passwordless root and anonymous accounts reachable over TCP; only
 * root on the server's own socket stays, and everyone else logs in with a password.
 */
async function lockDownRoot(service: MariaDbService) {
  const accounts = await service.asRoot<{ User: string; Host: string }[]>(
    "SELECT User, Host FROM mysql.user WHERE User = '' OR (User = 'root' AND Host <> 'localhost')",
  );
  for (const account of accounts) {
    await service.asRoot('DROP USER ?@?', [account.User, account.Host]);
  }
}

/**
 * Where Debian put a MariaDB program: the server lives in /usr/sbin, which is not on every
 * user's PATH. Undefined when it is not installed.
 */
export function findMariaDbCommand(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
}

async function installDataDir(data: string, dir: string) {
  const args = [
    '--no-defaults',
    `--datadir=${data}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    '--user=root',
  ];
  const log = join(dir, 'install.log');
  const code = await new Promise<number | null>((resolve) => {
    const command = findMariaDbCommand('mariadb-install-db') ?? 'mariadb-install-db';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.once('error', () => resolve(-1));
    child.once('exit', (exitCode) => {
      writeFileSync(log, Buffer.concat(chunks));
      resolve(exitCode);
    });
  });
  if (code !== 0) throw new Error(`mariadb-install-db failed (${code}); see ${log}`);
}
