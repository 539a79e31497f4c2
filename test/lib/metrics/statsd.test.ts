import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { createLogger } from '../../../lib/log.ts';
import {
  createStatsdMetrics,
  LaunchResult,
  metricsFromEnv,
  noMetrics,
  type PoolMetrics,
} from '../../../lib/metrics/index.ts';
import { startStatsdSink, type StatsdSink } from '../../support/statsd.ts';

const log = createLogger({ name: 'test', level: 'silent' });

async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
}

describe('statsd metrics', () => {
  let sink: StatsdSink;
  let metrics: PoolMetrics;

  before(async () => {
    sink = await startStatsdSink();
    metrics = metricsFromEnv({ STATSD_HOST: '127.0.0.1', STATSD_PORT: String(sink.port) }, log);
  });
  after(async () => {
    await metrics.close();
    await sink.close();
  });

  it('sends each launch as a timer and a counter under every variant', async () => {
    const facts = { provider: 'eqiad', az: null, image: 'ci-jessie-wikimedia', target: 'g' };
    metrics.launch(facts, LaunchResult.Ready, 1234.4);
    await until(() => sink.lines.length >= 8);
    assert.deepEqual(sink.named('nodepool.launch.image.ci-jessie-wikimedia.ready'), [
      { name: 'nodepool.launch.image.ci-jessie-wikimedia.ready', value: 1234, type: 'ms' },
      { name: 'nodepool.launch.image.ci-jessie-wikimedia.ready', value: 1, type: 'c' },
    ]);
    assert.equal(sink.named('nodepool.launch.ready').length, 2);
  });

  it('counts successful builds with their runtime at each level', async () => {
    const facts = { job: 'tox-jessie', branch: 'master', label: 'ci-jessie', provider: 'p' };
    metrics.jobSucceeded(facts, 90_000);
    await until(() => sink.named('nodepool.job.tox-jessie.master.ci-jessie.p.builds').length > 0);
    for (const prefix of ['tox-jessie', 'tox-jessie.master', 'tox-jessie.master.ci-jessie']) {
      assert.deepEqual(
        sink.named(`nodepool.job.${prefix}.runtime`).map((l) => [l.value, l.type]),
        [[90_000, 'ms']],
      );
      assert.deepEqual(
        sink.named(`nodepool.job.${prefix}.builds`).map((l) => [l.value, l.type]),
        [[1, 'c']],
      );
    }
  });

  it('sends node counts as gauges', async () => {
    metrics.nodeCounts(
      { providers: [{ name: 'p', maxServers: 6 }], labels: [{ name: 'l' }], targets: [] },
      [{ provider: 'p', label: 'l', target: 't', state: 'ready', count: 2 }],
    );
    await until(() => sink.gauge('nodepool.provider.p.max_servers') !== undefined);
    assert.equal(sink.gauge('nodepool.nodes.ready'), 2);
    assert.equal(sink.gauge('nodepool.label.l.nodes.ready'), 2);
    assert.equal(sink.gauge('nodepool.label.l.nodes.building'), 0);
    assert.equal(sink.gauge('nodepool.provider.p.max_servers'), 6);
  });
});

describe('statsd switched by the environment', () => {
  it('is off without STATSD_HOST', () => {
    assert.equal(metricsFromEnv({}, log), noMetrics);
    assert.equal(metricsFromEnv({ STATSD_PORT: '8125' }, log), noMetrics);
  });

  it('is off, not wrong, with a STATSD_PORT that is no port', () => {
    assert.equal(metricsFromEnv({ STATSD_HOST: '127.0.0.1', STATSD_PORT: 'x' }, log), noMetrics);
  });

  it('sends nothing and fails nothing when statsd is not listening', async () => {
    const sink = await startStatsdSink();
    const port = sink.port;
    await sink.close();
    const metrics = createStatsdMetrics({ host: '127.0.0.1', port, log });
    metrics.apiCall('p', 'ListServersTask', 5);
    await sleep(50);
    await metrics.close();
  });
});
