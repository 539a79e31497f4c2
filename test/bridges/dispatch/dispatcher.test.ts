import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { jetstreamManager } from '@nats-io/jetstream';

import { startDispatcher, type Settlement } from '../../../bridges/dispatch/dispatcher.ts';
import type { ActionInvoker } from '../../../bridges/dispatch/invoker.ts';
import { startNats, type NatsService } from '../../../deploy/services/nats.ts';
import type { ActionResult } from '../../../lib/actions/result.ts';
import { DEAD_STREAM, Subject, WORK_STREAM } from '../../../lib/events/subjects.ts';
import { createLogger } from '../../../lib/log.ts';
import { connectNats, type NatsConnection } from '../../../lib/nats/connect.ts';
import { createPublisher } from '../../../lib/nats/publish.ts';
import { ensureStreams } from '../../../lib/nats/streams.ts';
import { freePort } from '../../support/ports.ts';

const log = createLogger({ name: 'test', level: 'silent' });
const RETRY = { maxDeliveries: 3, initialDelayMs: 20, maxDelayMs: 50 };

describe('dispatch bridge on a real nats-server', () => {
  let nats: NatsService;
  let nc: NatsConnection;

  before(async () => {
    nats = await startNats(await freePort(), mkdtempSync(join(tmpdir(), 'wp-nats-')));
    nc = await connectNats(nats.url, 'test');
    await ensureStreams(nc);
  });
  after(async () => {
    await nc.close();
    await nats.stop();
  });
  beforeEach(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge(WORK_STREAM);
    await jsm.streams.purge(DEAD_STREAM);
  });

  /** Runs the dispatcher with `answer` as the actions until `until` holds. */
  async function dispatch(
    answer: (action: string, params: Record<string, unknown>) => Promise<ActionResult>,
    until: (settled: Settlement[]) => boolean,
  ) {
    const settled: Settlement[] = [];
    const invoker: ActionInvoker = { invoke: answer };
    const dispatcher = startDispatcher({
      nc,
      invoker,
      log,
      retry: RETRY,
      onSettled: (s) => settled.push(s),
    });
    const deadline = Date.now() + 10_000;
    while (!until(settled) && Date.now() < deadline) await sleep(20);
    await dispatcher.stop();
    return settled;
  }

  async function queued() {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(WORK_STREAM)).state.messages;
  }

  /** Acks and terms are sent without waiting for the server; give it a moment. */
  async function eventually(read: () => Promise<number>, want: number) {
    let value = await read();
    for (let i = 0; i < 50 && value !== want; i++) {
      await sleep(20);
      value = await read();
    }
    return value;
  }

  async function dead() {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(DEAD_STREAM)).state.messages;
  }

  it('hands each message to its action and removes it once done', async () => {
    await createPublisher(nc).publish(Subject.NodeSpawn, { nodeId: 1 });
    const calls: [string, unknown][] = [];
    const settled = await dispatch(
      async (action, params) => {
        calls.push([action, params.event]);
        return { summary: {} };
      },
      (s) => s.length === 1,
    );
    assert.deepEqual(calls, [['spawn', { nodeId: 1 }]]);
    assert.equal(settled[0]?.outcome, 'ack');
    assert.equal(await eventually(queued, 0), 0);
  });

  it('redelivers after a retryable failure until the action succeeds', async () => {
    await createPublisher(nc).publish(Subject.NodeDelete, { nodeId: 2 });
    let calls = 0;
    const settled = await dispatch(
      async () => {
        calls += 1;
        if (calls >= 3) return {};
        return { error: { code: 'WP_CLOUD_UNAVAILABLE', message: 'x', retryable: true } };
      },
      (s) => s.some((x) => x.outcome === 'ack'),
    );
    assert.deepEqual(settled.map((s) => s.outcome), ['retry', 'retry', 'ack']);
    assert.equal(await eventually(queued, 0), 0);
  });

  it('parks a message that keeps failing, with a log-worthy reason, and stops retrying',
    async () => {
      await createPublisher(nc).publish(Subject.NodeRegister, { nodeId: 3 });
      const settled = await dispatch(
        async () => ({
          error: { code: 'WP_JENKINS_UNAVAILABLE', message: 'down', retryable: true },
        }),
        (s) => s.some((x) => x.outcome === 'dead'),
      );
      assert.deepEqual(settled.map((s) => s.outcome), ['retry', 'retry', 'dead']);
      assert.equal(await eventually(queued, 0), 0);
      assert.equal(await dead(), 1);
    });

  it('parks at once what no retry can fix', async () => {
    await createPublisher(nc).publish(Subject.NodeSpawn, { nodeId: 4 });
    const settled = await dispatch(
      async () => ({ error: { code: 'WP_EVENT_INVALID', message: 'bad', retryable: false } }),
      (s) => s.length === 1,
    );
    assert.equal(settled[0]?.outcome, 'dead');
    assert.equal(await dead(), 1);
  });

  it('runs a waiting step again later without counting it as a failure', async () => {
    await createPublisher(nc).publish(Subject.NodeReadyCheck, { nodeId: 5 });
    let calls = 0;
    const settled = await dispatch(
      async () => (++calls < 5 ? { retryAfterMs: 10 } : {}),
      (s) => s.some((x) => x.outcome === 'ack'),
    );
    assert.equal(settled.filter((s) => s.outcome === 'wait').length, 4);
    assert.equal(await dead(), 0);
  });

  it('treats an action host that cannot be reached as a failure to retry', async () => {
    await createPublisher(nc).publish(Subject.NodeSpawn, { nodeId: 6 });
    let calls = 0;
    const settled = await dispatch(
      async () => {
        if (++calls === 1) throw new Error('connect ECONNREFUSED');
        return {};
      },
      (s) => s.some((x) => x.outcome === 'ack'),
    );
    assert.deepEqual(settled.map((s) => s.outcome), ['retry', 'ack']);
  });

  it('skips a demand snapshot when a newer one is already waiting', async () => {
    const publisher = createPublisher(nc);
    for (let at = 1; at <= 5; at++) {
      await publisher.publish(Subject.Demand, { labels: { a: at }, servers: ['g'], at });
    }
    const seen: unknown[] = [];
    await dispatch(
      async (_action, params) => {
        seen.push(params.event);
        return {};
      },
      (s) => s.length === 5,
    );
    assert.deepEqual(seen, [{ labels: { a: 5 }, servers: ['g'], at: 5 }]);
  });

  it('runs one reconcile for requests queued behind each other, and never skips a sweep',
    async () => {
      const publisher = createPublisher(nc);
      for (let node = 1; node <= 4; node++) {
        await publisher.publish(Subject.Reconcile, { reason: `node-${node}-deleted`, at: node });
      }
      await publisher.publish(Subject.Sweep, { reason: 'cron cleanup', at: 5 });
      await publisher.publish(Subject.Reconcile, { reason: 'node-6-deleted', at: 6 });

      const seen: string[] = [];
      await dispatch(
        async (_action, params) => {
          seen.push(`${String(params.subject)} ${(params.event as { at: number }).at}`);
          return {};
        },
        (s) => s.length === 6,
      );
      assert.deepEqual(seen, [`${Subject.Sweep} 5`, `${Subject.Reconcile} 6`]);
    });
});
