import { setTimeout as sleep } from 'node:timers/promises';

import {
  AckPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';

import { openDatabase } from '../lib/db/connect.ts';
import { migrateLatest } from '../lib/db/migrate.ts';
import { connectNats } from '../lib/nats/connect.ts';
import { insertRequestedNode, transitionNode } from '../lib/node/repository.ts';
import type { NodeState } from '../lib/node/states.ts';
import { summarize, type Summary } from './stats.ts';

/** The states a node passes through after `requested` in one machine life cycle. */
const LIFE: readonly NodeState[] = [
  'building',
  'booted',
  'ready',
  'in-use',
  'used',
  'deleting',
  'deleted',
];

/** State-change transactions in one life cycle: the insert, then one per step of LIFE. */
export const TRANSACTIONS_PER_LIFECYCLE = 1 + LIFE.length;

export interface KnexFloor {
  lifecycles: number;
  transactions: number;
  seconds: number;
  lifecyclesPerSecond: number;
  /** CPU this process spent per life cycle: what the database work costs, whatever the load. */
  cpuMsPerLifecycle: number;
  /** One compare-and-set transition, as the caller of transitionNode sees it. */
  transitionMs: Summary;
}

export interface KnexFloorOptions {
  databaseUrl: string;
  lifecycles: number;
  /** Life cycles in flight at once, as the dispatcher keeps several nodes moving. */
  concurrency: number;
  /** Connections, as the local action host opens them (SQLite always has one). */
  poolMax: number;
}

/**
 * The fastest the database can take the pool's state changes: each life cycle is the
 * insert of a requested node and its seven compare-and-set transitions through
 * lib/node/repository.ts, with nothing else in the way (no NATS, no actions, no cloud).
 */
export async function measureKnexFloor(options: KnexFloorOptions): Promise<KnexFloor> {
  const db = openDatabase({ url: options.databaseUrl, poolMax: options.poolMax });
  try {
    await migrateLatest(db);
    const transitionMs: number[] = [];
    let next = 0;

    const lifecycle = async () => {
      const at = Date.now();
      let node = await db.transaction((trx) =>
        insertRequestedNode(
          trx,
          { provider: 'floor-cloud', label: 'floor-label', target: 'floor-jenkins', az: null },
          at,
          (id) => ({ hostname: `floor-${id}`, nodeName: `floor-${id}` }),
        ),
      );
      for (const to of LIFE) {
        const started = performance.now();
        const moved = await transitionNode(db, node, to, { reason: 'floor', now: Date.now() });
        transitionMs.push(performance.now() - started);
        if (!moved) throw new Error(`floor: node ${node.id} lost a compare-and-set it owns`);
        node = moved;
      }
    };
    const worker = async () => {
      while (next < options.lifecycles) {
        next += 1;
        await lifecycle();
      }
    };

    const started = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    const spent = process.cpuUsage(cpu);

    return {
      lifecycles: options.lifecycles,
      transactions: options.lifecycles * TRANSACTIONS_PER_LIFECYCLE,
      seconds,
      lifecyclesPerSecond: options.lifecycles / seconds,
      cpuMsPerLifecycle: (spent.user + spent.system) / 1000 / options.lifecycles,
      transitionMs: summarize(transitionMs),
    };
  } finally {
    await db.destroy();
  }
}

export interface NatsFloor {
  messages: number;
  seconds: number;
  roundTripsPerSecond: number;
  /** Publish (acknowledged by the stream) to the consumer holding the message. */
  roundTripMs: Summary;
}

export interface NatsFloorOptions {
  url: string;
  messages: number;
  /** Messages in flight at once. */
  concurrency: number;
}

const FLOOR_STREAM = 'WHISKPOOL_BENCH_FLOOR';
const FLOOR_SUBJECT = 'whiskpool-bench-floor.round-trip';

/**
 * Raw JetStream round trips on the stack's own nats-server: publish to a file-backed
 * work-queue stream (as the pool's stream is), consume through a durable pull consumer,
 * acknowledge. The stream is separate from the pool's and removed afterwards.
 */
export async function measureNatsFloor(options: NatsFloorOptions): Promise<NatsFloor> {
  const nc = await connectNats(options.url, 'whiskpool-bench-floor');
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.add({
      name: FLOOR_STREAM,
      subjects: [FLOOR_SUBJECT],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    });
    await jsm.consumers.add(FLOOR_STREAM, {
      durable_name: 'floor',
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: Math.max(64, options.concurrency * 4),
    });
    const js = jetstream(nc);
    const consumer = await js.consumers.get(FLOOR_STREAM, 'floor');
    const messages = await consumer.consume({ max_messages: options.concurrency });

    const waiting = new Map<number, (at: number) => void>();
    const reader = (async () => {
      for await (const msg of messages) {
        msg.ack();
        waiting.get(Number(msg.string()))?.(performance.now());
      }
    })();

    const roundTrips: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < options.messages) {
        const id = next++;
        const arrived = new Promise<number>((resolve) => waiting.set(id, resolve));
        const sent = performance.now();
        await js.publish(FLOOR_SUBJECT, String(id), { msgID: `floor-${id}` });
        roundTrips.push((await arrived) - sent);
        waiting.delete(id);
      }
    };

    const started = performance.now();
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    messages.stop();
    await Promise.race([reader, sleep(1000)]);

    return {
      messages: options.messages,
      seconds,
      roundTripsPerSecond: options.messages / seconds,
      roundTripMs: summarize(roundTrips),
    };
  } finally {
    await jsm.streams.delete(FLOOR_STREAM).catch(() => undefined);
    await nc.drain();
  }
}
