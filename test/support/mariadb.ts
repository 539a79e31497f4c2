import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  findMariaDbCommand,
  startMariaDb,
  type MariaDbService,
} from '../../deploy/services/mariadb.ts';
import { freePort } from './ports.ts';

/**
 * Why MariaDB tests skip here, or false when they run. CI sets WHISKPOOL_WITH_MARIADB=1 and
 * installs the server, so there a missing server is a failure, not a skip.
 */
export function mariadbSkip(): string | false {
  const found = ['mariadbd', 'mariadb-install-db'].every((name) => findMariaDbCommand(name));
  if (found) return false;
  if (process.env.WHISKPOOL_WITH_MARIADB === '1') {
    throw new Error('WHISKPOOL_WITH_MARIADB=1 but mariadbd is not installed');
  }
  return 'mariadbd is not installed (scripts/install.sh installs it with WHISKPOOL_WITH_MARIADB=1)';
}

export interface TestMariaDb {
  readonly service: MariaDbService;
  /** A fresh, empty database the test user owns, as a `mysql://` URL with its password. */
  createDatabase(): Promise<string>;
  /** The server's peak of simultaneous connections since it started. */
  maxUsedConnections(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A MariaDB of the test's own on a free port with a temporary data directory, and a user
 * `whiskpool` with a random password that owns the databases named `whiskpool_*`.
 */
export async function startTestMariaDb(): Promise<TestMariaDb> {
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-mariadb-'));
  const output = createWriteStream(join(dir, 'output.log'));
  const service = await startMariaDb({ port: await freePort(), dataDir: dir, output });
  const password = randomBytes(18).toString('base64url');

  try {
    await service.asRoot("CREATE USER 'whiskpool'@'127.0.0.1' IDENTIFIED BY ?", [password]);
    await service.asRoot("GRANT ALL ON `whiskpool\\_%`.* TO 'whiskpool'@'127.0.0.1'");
  } catch (error) {
    await service.stop();
    throw error;
  }

  return {
    service,
    async createDatabase() {
      const name = `whiskpool_${randomBytes(6).toString('hex')}`;
      await service.asRoot(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
      return `mysql://whiskpool:${encodeURIComponent(password)}@127.0.0.1:${service.port}/${name}`;
    },
    async maxUsedConnections() {
      const rows = await service.asRoot<{ Value: string }[]>(
        "SHOW GLOBAL STATUS LIKE 'Max_used_connections'",
      );
      return Number(rows[0]?.Value);
    },
    async stop() {
      await service.stop();
      output.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
