import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { startLocalStack } from '../../deploy/local-stack.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { isWhiskpoolError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/log.ts';
import { writeTestPool } from '../support/pool-config.ts';

describe('the local stack', () => {
  it('refuses a private-key file it cannot log in with, before it starts anything', async (t) => {
    const pool = await writeTestPool({
      labels: [{ name: 'ci-jessie-wikimedia', minReady: 1 }],
      maxServers: 1,
    });
    t.after(() => rmSync(pool.dir, { recursive: true, force: true }));
    const keyPath = join(pool.dir, 'id_ed25519');
    writeFileSync(keyPath, '-----BEGIN OPENSSH PRIVATE KEY-----\nbroken\n');
    const { config } = await loadConfig(pool.configPath);

    const starting = startLocalStack({
      configPath: pool.configPath,
      config,
      dataDir: pool.dir,
      log: createLogger({ name: 'test', level: 'silent' }),
      standIns: true,
    });

    await assert.rejects(starting, (error: unknown) => {
      assert.ok(isWhiskpoolError(error, 'WP_CONFIG_INVALID'));
      assert.ok(error.message.startsWith(`private-key ${keyPath} is no usable key (`));
      assert.match(error.message, /remove it and the local stack makes a new one/);
      return true;
    });
    assert.equal(readFileSync(keyPath, 'utf8'), '-----BEGIN OPENSSH PRIVATE KEY-----\nbroken\n');
    assert.equal(existsSync(join(pool.logsDir, 'nats.log')), false, 'nats-server not started');
  });
});
