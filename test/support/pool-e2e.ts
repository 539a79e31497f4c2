import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';

import {
  startLocalStack,
  type LocalStack,
  type LocalStackOptions,
} from '../../deploy/local-stack.ts';
import { loadConfig, type PoolConfig } from '../../lib/config/index.ts';
import { openDatabase, type Database } from '../../lib/db/connect.ts';
import { listNodes, listTransitions } from '../../lib/node/repository.ts';
import { isLegalTransition, LIVE_STATES } from '../../lib/node/states.ts';
import { writeTestPool, type TestPool } from './pool-config.ts';
import { startTestStack } from './test-stack.ts';
import { waitFor } from './wait.ts';

const BUILDS = 50;
const LABELS = ['ci-jessie-wikimedia', 'ci-trusty-wikimedia'];
const MIN_READY = 2;
const MAX_SERVERS = 6;

interface SimBuild {
  job: string;
  number: number;
  nodeName: string;
  launcher: string;
  machine: string;
  result: string | null;
}

/** What differs between runs of the end-to-end suite: the database and how actions run. */
export interface PoolVariant {
  /** Why this variant cannot run here, as node:test's `skip` takes it. */
  skip?: string | false;
  /** The pool's database URL; the test's own SQLite file when absent. */
  database?(): Promise<string>;
  /** Runs once the configuration is written, before the stack starts; adds stack options. */
  prepare?(pool: TestPool, config: PoolConfig): Promise<Partial<LocalStackOptions>>;
  /** More tests, run while the stack is still up, after the suite's own. */
  moreTests?(world: () => { pool: TestPool; db: Database }): void;
  /** Runs after the stack stopped. */
  finish?(): Promise<void>;
}

/**
 * The whole pool against the stand-ins, 50 builds over two labels, and the assertions every
 * way of running it must pass.
 */
export function describePoolEndToEnd(title: string, variant: PoolVariant = {}) {
  describe(title, { timeout: 300_000, skip: variant.skip }, () => {
    let pool: TestPool;
    let stack: LocalStack;
    let db: Database;
    const completed: Record<string, unknown>[] = [];

    before(async () => {
      pool = await writeTestPool({
        labels: LABELS.map((name) => ({ name, minReady: MIN_READY })),
        maxServers: MAX_SERVERS,
        databaseUrl: await variant.database?.(),
      });
      const { config } = await loadConfig(pool.configPath);
      const extra = (await variant.prepare?.(pool, config)) ?? {};
      stack = await startTestStack(pool, config, {
        submitter: { rate: 10, builds: BUILDS },
        ...extra,
      });
      stack.submitter?.onLine((line) => {
        if ('build' in line) completed.push(line.build as Record<string, unknown>);
      });
      db = openDatabase({ url: pool.databaseUrl });
    });

    after(async () => {
      await db?.destroy();
      await stack?.stop();
      await variant.finish?.();
    });

    it('runs every submitted build', async () => {
      const allDone = () => completed.length >= BUILDS;
      await waitFor('every build to complete', 240_000, allDone, pool.logsDir);
      assert.equal(completed.length, BUILDS);
      for (const build of completed) {
        const what = `build ${String(build.uuid)} ${String(build.outcome)}`;
        assert.equal(build.outcome, 'complete', what);
        assert.ok(build.nodeName, 'each build names the node it ran on');
      }
    });

    it('settles at exactly min-ready ready machines per label, and nothing else', async () => {
      await waitFor('the pool to settle', 60_000, async () => {
        const live = await listNodes(db, { states: LIVE_STATES });
        return live.every((n) => n.state === 'ready') && LABELS.every(
          (label) => live.filter((n) => n.label === label).length === MIN_READY,
        );
      }, pool.logsDir);
    });

    it('never gives a machine to a second build', async () => {
      const builds = await simBuilds(pool);
      assert.equal(builds.length, BUILDS);
      // Ports are reused by the kernel; the machine's SSH banner names the machine itself.
      const perMachine = countBy(builds, (b) => b.machine);
      assert.ok(builds.every((b) => b.machine.startsWith('SSH-2.0-')), 'builds name their machine');
      const perAgent = countBy(builds, (b) => b.nodeName);
      const reused = (counts: Record<string, number>, key: (b: SimBuild) => string) =>
        builds.filter((b) => (counts[key(b)] ?? 0) > 1);
      assert.deepEqual(reused(perMachine, (b) => b.machine), []);
      assert.deepEqual(reused(perAgent, (b) => b.nodeName), []);
    });

    it('removes every machine that ran a build from Jenkins and the cloud', async () => {
      const builds = await simBuilds(pool);
      const agents = await jenkinsAgents(pool);
      const cloud = await cloudState(pool);
      const serverNames = new Set(cloud.servers.map((s) => s.name));
      for (const build of builds) {
        assert.ok(!agents.includes(build.nodeName), `${build.nodeName} is still in Jenkins`);
        assert.ok(!serverNames.has(build.nodeName), `${build.nodeName} is still in the cloud`);
      }
    });

    it('keeps exactly min-ready ready machines per label afterwards', async () => {
      const nodes = await listNodes(db, { states: ['ready'] });
      const cloud = await cloudState(pool);
      for (const label of LABELS) {
        assert.equal(nodes.filter((n) => n.label === label).length, MIN_READY);
      }
      assert.equal(cloud.servers.length, MIN_READY * LABELS.length);
    });

    it('never holds more servers than max-servers', async () => {
      const cloud = await cloudState(pool);
      assert.ok(cloud.everCreated >= BUILDS, 'a machine per build');
      assert.ok(cloud.peakServers <= MAX_SERVERS, `peak ${cloud.peakServers} > ${MAX_SERVERS}`);
    });

    it('records only legal transitions, each from the state the node was in', async () => {
      const transitions = await listTransitions(db);
      const last = new Map<number, string | null>();
      for (const t of transitions) {
        assert.ok(isLegalTransition(t.from, t.to), `node ${t.nodeId}: ${t.from} -> ${t.to}`);
        assert.equal(t.from, last.get(t.nodeId) ?? null, `node ${t.nodeId} skipped a state`);
        last.set(t.nodeId, t.to);
      }
    });

    variant.moreTests?.(() => ({ pool, db }));

    it('leaves no process or port behind when stopped', async () => {
      const pids = stack.processes.map((p) => p.process.pid).filter((p): p is number => !!p);
      await stack.stop();
      for (const pid of pids) assert.equal(isAlive(pid), false, `process ${pid} still runs`);
      for (const port of Object.values(pool.ports)) {
        assert.equal(await portIsFree(port), true, `port ${port} still taken`);
      }
    });
  });
}

async function simBuilds(pool: TestPool): Promise<SimBuild[]> {
  const response = await fetch(`${pool.jenkinsUrl}/_sim/builds`);
  return ((await response.json()) as { builds: SimBuild[] }).builds;
}

async function jenkinsAgents(pool: TestPool): Promise<string[]> {
  const response = await fetch(`${pool.jenkinsUrl}/computer/api/json`, {
    headers: { authorization: pool.jenkinsAuth },
  });
  const body = (await response.json()) as { computer: { displayName: string }[] };
  return body.computer.map((c) => c.displayName);
}

async function cloudState(pool: TestPool) {
  const response = await fetch(`${pool.openstackUrl}/_sim/state`);
  return (await response.json()) as {
    servers: { name: string }[];
    everCreated: number;
    peakServers: number;
  };
}

function countBy<T>(items: T[], key: (item: T) => string) {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
