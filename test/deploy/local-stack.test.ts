import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';

import { loadConfig } from '../../lib/config/index.ts';
import { isWhiskpoolError } from '../../lib/errors.ts';
import { writeTestPool, type TestPool } from '../support/pool-config.ts';
import { startTestStack } from '../support/test-stack.ts';

async function testPool(t: TestContext): Promise<TestPool> {
  const pool = await writeTestPool({
    labels: [{ name: 'ci-jessie-wikimedia', minReady: 1 }],
    maxServers: 1,
  });
  t.after(() => rmSync(pool.dir, { recursive: true, force: true }));
  return pool;
}

async function startOn(pool: TestPool) {
  const { config } = await loadConfig(pool.configPath);
  return startTestStack(pool, config);
}

describe('the local stack', () => {
  it('refuses a private-key file it cannot log in with, before it starts anything', async (t) => {
    const pool = await testPool(t);
    const keyPath = join(pool.dir, 'id_ed25519');
    writeFileSync(keyPath, '-----BEGIN OPENSSH PRIVATE KEY-----\nbroken\n');

    const starting = startOn(pool);

    await assert.rejects(starting, (error: unknown) => {
      assert.ok(isWhiskpoolError(error, 'WP_CONFIG_INVALID'));
      assert.ok(error.message.startsWith(`private-key ${keyPath} is no usable key (`));
      assert.match(error.message, /remove it and the local stack makes a new one/);
      return true;
    });
    assert.equal(readFileSync(keyPath, 'utf8'), '-----BEGIN OPENSSH PRIVATE KEY-----\nbroken\n');
    assert.equal(existsSync(join(pool.logsDir, 'nats.log')), false, 'nats-server not started');
  });

  it('refuses to start beside a stack that holds its ports, starting nothing', async (t) => {
    const pool = await testPool(t);
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(pool.ports.nats, '127.0.0.1', resolve));
    t.after(() => holder.close());

    const starting = startOn(pool);

    await assert.rejects(starting, (error: unknown) => {
      assert.ok(isWhiskpoolError(error, 'WP_USAGE_INVALID'));
      assert.match(error.message, new RegExp(`^port ${pool.ports.nats} of 127.0.0.1, where `));
      assert.match(error.message, /nats-server listens, is taken: is another whiskpool stack/);
      return true;
    });
    assert.equal(existsSync(pool.logsDir), false, 'nothing written to the data directory');
  });
});
