import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import {
  createContainerPool,
  type ContainerPool,
  type DeployedAction,
} from '../../../deploy/action-proxy/pool.ts';

const PID = `exports.main = async (p) => {
  if (p.sleepMs) await new Promise((r) => setTimeout(r, p.sleepMs));
  return { pid: process.pid, concurrent: process.env.__OW_ALLOW_CONCURRENT ?? null };
};`;

function action(overrides: Partial<DeployedAction> = {}): DeployedAction {
  return {
    name: '/guest/test/pid',
    code: PID,
    digest: 'one',
    limits: { timeoutMs: 5000, memoryMb: 128, concurrency: 1 },
    ...overrides,
  };
}

const context = () => ({ namespace: 'guest', activationId: randomUUID().replace(/-/g, '') });

async function withPool(
  options: Parameters<typeof createContainerPool>[0],
  body: (pool: ContainerPool) => Promise<void>,
) {
  const pool = createContainerPool(options);
  try {
    await body(pool);
  } finally {
    await pool.stop();
  }
}

describe('the container pool', () => {
  it('starts a container on the first run and reuses it while warm', async () => {
    await withPool({}, async (pool) => {
      const cold = await pool.run(action(), {}, context());
      const warm = await pool.run(action(), {}, context());
      assert.equal(cold.status, 'success');
      assert.ok(cold.initMs !== undefined && cold.initMs > 0, 'a cold start reports its init time');
      assert.equal(warm.initMs, undefined);
      assert.equal(warm.result.pid, cold.result.pid);
      assert.deepEqual(pool.containers(), { '/guest/test/pid': 1 });
    });
  });

  it('adds containers up to its bound and makes further runs wait for a free one', async () => {
    await withPool({ maxContainersPerAction: 2 }, async (pool) => {
      const runs = await Promise.all(
        [1, 2, 3].map(() => pool.run(action(), { sleepMs: 300 }, context())),
      );
      assert.ok(runs.every((r) => r.status === 'success'));
      assert.equal(new Set(runs.map((r) => r.result.pid)).size, 2);
      assert.ok(runs.some((r) => (r.waitMs ?? 0) >= 200), 'the third run waited for a container');
    });
  });

  it('gives a container as many runs at once as the action concurrency allows', async () => {
    await withPool({ maxContainersPerAction: 1 }, async (pool) => {
      const concurrent = action({ limits: { timeoutMs: 5000, memoryMb: 128, concurrency: 4 } });
      const started = Date.now();
      const runs = await Promise.all(
        [1, 2, 3, 4].map(() => pool.run(concurrent, { sleepMs: 400 }, context())),
      );
      assert.equal(new Set(runs.map((r) => r.result.pid)).size, 1);
      assert.ok(runs.every((r) => r.result.concurrent === 'true'));
      assert.ok(Date.now() - started < 1500, 'the four runs overlapped');
    });
  });

  it('ends a run past its time limit as a developer error and replaces the container', async () => {
    await withPool({}, async (pool) => {
      const slow = action({ limits: { timeoutMs: 300, memoryMb: 128, concurrency: 1 } });
      const first = await pool.run(slow, {}, context());
      const timedOut = await pool.run(slow, { sleepMs: 2000 }, context());
      assert.equal(timedOut.status, 'action developer error');
      assert.match(String(timedOut.result.error), /exceeded its time limits of 300 milliseconds/);
      const after = await pool.run(slow, {}, context());
      assert.notEqual(after.result.pid, first.result.pid);
      assert.notEqual(after.initMs, undefined);
    });
  });

  it('retires containers of an older version of the action', async () => {
    await withPool({}, async (pool) => {
      const old = await pool.run(action(), {}, context());
      const updated = await pool.run(action({ digest: 'two' }), {}, context());
      assert.notEqual(updated.result.pid, old.result.pid);
      assert.deepEqual(pool.containers(), { '/guest/test/pid': 1 });
    });
  });

  it('reports code that does not load as a developer error at init', async () => {
    await withPool({}, async (pool) => {
      const broken = action({ name: '/guest/test/broken', code: 'exports.main = ;' });
      const outcome = await pool.run(broken, {}, context());
      assert.equal(outcome.status, 'action developer error');
      assert.match(String(outcome.result.error), /Initialization has failed/);
      assert.deepEqual(pool.containers(), { '/guest/test/broken': 0 });
    });
  });

  it('stops every container when it stops', async () => {
    const pool = createContainerPool({ maxContainersPerAction: 2 });
    const runs = await Promise.all(
      [1, 2].map(() => pool.run(action(), { sleepMs: 200 }, context())),
    );
    await pool.stop();
    for (const pid of runs.map((r) => Number(r.result.pid))) {
      assert.throws(() => process.kill(pid, 0), 'the container process is gone');
    }
  });

  it('leaves no container behind when its host is killed', async () => {
    const pool = fileURLToPath(new URL('../../../deploy/action-proxy/pool.ts', import.meta.url));
    const script = `
      const { createContainerPool } = await import(${JSON.stringify(pool)});
      const action = ${JSON.stringify(action())};
      const context = { namespace: 'g', activationId: 'a' };
      const run = await createContainerPool({}).run(action, {}, context);
      console.log(run.result.pid);`;
    const host = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [chunk] = (await once(host.stdout, 'data')) as [Buffer];
    const container = Number(chunk.toString().trim());
    assert.ok(container > 0 && alive(container), 'the container runs');

    host.kill('SIGKILL');
    for (let i = 0; i < 50 && alive(container); i++) await sleep(100);
    assert.equal(alive(container), false, `container ${container} outlived its host`);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
