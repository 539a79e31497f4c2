import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { LocalStack } from '../../deploy/local-stack.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { openDatabase, type Database } from '../../lib/db/connect.ts';
import { listTransitions } from '../../lib/node/repository.ts';
import { startStatsdSink, type StatsdSink } from '../support/statsd.ts';
import { writeTestPool, type TestPool } from '../support/pool-config.ts';
import { startTestStack } from '../support/test-stack.ts';
import { waitFor } from '../support/wait.ts';

const BUILDS = 8;
const LABEL = 'ci-jessie-wikimedia';
const MAX_SERVERS = 3;
const PREFIXES = ['nodepool.nodes', `nodepool.label.${LABEL}.nodes`,
  'nodepool.provider.test-cloud.nodes', 'nodepool.target.test-jenkins.nodes'];

interface Build {
  job: string;
  outcome: string;
  result?: string;
}

describe("the pool's statsd metrics", { timeout: 240_000 }, () => {
  let pool: TestPool;
  let stack: LocalStack;
  let sink: StatsdSink;
  let db: Database;
  const builds: Build[] = [];
  const saved = { host: process.env.STATSD_HOST, port: process.env.STATSD_PORT };

  before(async () => {
    sink = await startStatsdSink();
    // The stack's processes inherit the environment, as Nodepool's daemon read its own.
    process.env.STATSD_HOST = '127.0.0.1';
    process.env.STATSD_PORT = String(sink.port);
    pool = await writeTestPool({ labels: [{ name: LABEL, minReady: 1 }], maxServers: MAX_SERVERS });
    const { config } = await loadConfig(pool.configPath);
    stack = await startTestStack(pool, config, {
      submitter: { rate: 4, builds: BUILDS },
      buildDurationMs: 300,
    });
    stack.submitter?.onLine((line) => {
      if ('build' in line) builds.push(line.build as Build);
    });
    db = openDatabase({ url: pool.databaseUrl });
  });

  after(async () => {
    await db?.destroy();
    await stack?.stop();
    await sink?.close();
    process.env.STATSD_HOST = saved.host;
    process.env.STATSD_PORT = saved.port;
    if (saved.host === undefined) delete process.env.STATSD_HOST;
    if (saved.port === undefined) delete process.env.STATSD_PORT;
  });

  const count = (name: string) =>
    sink.named(name).filter((line) => line.type === 'c').reduce((sum, l) => sum + l.value, 0);

  it('runs the builds and settles, with the node gauges following', async () => {
    await waitFor('every build', 180_000, () => builds.length >= BUILDS, pool.logsDir);
    assert.deepEqual(builds.map((b) => b.outcome), Array(BUILDS).fill('complete'));

    // Gauges are sent on each reconcile pass; the pool settles at min-ready and nothing else.
    await waitFor('the gauges to show the settled pool', 60_000, () =>
      PREFIXES.every((prefix) => {
        const ready = sink.gauge(`${prefix}.ready`);
        const others = ['building', 'used', 'delete', 'hold', 'test'];
        return ready === 1 && others.every((state) => sink.gauge(`${prefix}.${state}`) === 0);
      }),
      pool.logsDir,
    );
    assert.equal(sink.gauge('nodepool.provider.test-cloud.max_servers'), MAX_SERVERS);
  });

  it('counts one ready launch per node that became ready, under every variant', async () => {
    const transitions = await listTransitions(db);
    const readied = transitions.filter((t) => t.to === 'ready').length;
    assert.ok(readied >= BUILDS + 1, `${readied} nodes became ready`);
    for (const name of [
      'nodepool.launch.ready',
      'nodepool.launch.provider.test-cloud.ready',
      `nodepool.launch.image.${LABEL}.ready`,
      'nodepool.launch.target.test-jenkins.ready',
    ]) {
      assert.equal(count(name), readied, name);
      const times = sink.named(name).filter((l) => l.type === 'ms');
      assert.equal(times.length, readied, `${name} timers`);
      assert.ok(times.every((t) => t.value > 0 && t.value < 60_000), `${name} timer values`);
    }
    assert.equal(sink.lines.filter((l) => l.name.startsWith('nodepool.launch.error')).length, 0);
  });

  it('counts each deletion and times it', async () => {
    const deleted = (await listTransitions(db)).filter((t) => t.to === 'deleted').length;
    assert.ok(deleted >= BUILDS);
    const name = `nodepool.delete.${LABEL}.test-cloud.test-jenkins`;
    assert.equal(count(name), deleted);
    assert.equal(sink.named(name).filter((l) => l.type === 'ms').length, deleted);
  });

  it('counts successful builds per job, branch, label and provider, with runtimes', () => {
    const perJob = new Map<string, number>();
    for (const build of builds) {
      if (build.result === 'SUCCESS') perJob.set(build.job, (perJob.get(build.job) ?? 0) + 1);
    }
    assert.ok(perJob.size > 0);
    for (const [job, n] of perJob) {
      assert.equal(count(`nodepool.job.${job}.builds`), n, job);
      const runtimes = sink.named(`nodepool.job.${job}.runtime`);
      assert.equal(runtimes.length, n);
      assert.ok(runtimes.every((r) => r.type === 'ms' && r.value > 0 && r.value < 60_000));

      const deepest = sink.lines.filter(
        (l) => l.name.startsWith(`nodepool.job.${job}.`) &&
          l.name.endsWith(`.${LABEL}.test-cloud.builds`),
      );
      assert.equal(deepest.reduce((sum, l) => sum + l.value, 0), n, `${job} by provider`);
    }
  });

  it('times every cloud and Jenkins call under its provider or target', async () => {
    const state = (await (await fetch(`${pool.openstackUrl}/_sim/state`)).json()) as {
      everCreated: number;
    };
    assert.equal(count('nodepool.task.test-cloud.CreateServerTask'), state.everCreated);
    assert.ok(count('nodepool.task.test-cloud.DeleteServerTask') >= BUILDS);
    assert.ok(count('nodepool.task.test-cloud.GetServerTask') > 0);
    assert.ok(count('nodepool.task.test-jenkins.CreateNodeTask') >= BUILDS + 1);
    assert.ok(count('nodepool.task.test-jenkins.DeleteNodeTask') >= BUILDS);
  });
});
