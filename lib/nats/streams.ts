import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

import {
  CONSUMERS,
  DEAD_PREFIX,
  DEAD_STREAM,
  WORK_STREAM,
  WORK_SUBJECTS,
} from '../events/subjects.ts';

const SECOND_NS = 1_000_000_000;

/** How long a message may stay unacknowledged before JetStream hands it out again. */
export const ACK_WAIT_MS = 60_000;

/**
 * Creates the work-queue stream, the dead-letter stream and one durable consumer per subject
 * prefix, or leaves them as they are. Safe to call from every process at start.
 */
export async function ensureStreams(nc: NatsConnection): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);

  await upsertStream(jsm, {
    name: WORK_STREAM,
    subjects: [WORK_SUBJECTS],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    // Long enough to swallow the replays of a restarted bridge or a redelivered action.
    duplicate_window: 120 * SECOND_NS,
  });

  await upsertStream(jsm, {
    name: DEAD_STREAM,
    subjects: [`${DEAD_PREFIX}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: 7 * 24 * 3600 * SECOND_NS,
  });

  for (const consumer of CONSUMERS) {
    const config = {
      durable_name: consumer.durable,
      filter_subject: consumer.filter,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ACK_WAIT_MS * 1_000_000,
      max_ack_pending: Math.max(64, consumer.concurrency * 4),
    };
    try {
      await jsm.consumers.info(WORK_STREAM, consumer.durable);
      await jsm.consumers.update(WORK_STREAM, consumer.durable, {
        ack_wait: config.ack_wait,
        max_ack_pending: config.max_ack_pending,
      });
    } catch {
      await jsm.consumers.add(WORK_STREAM, config);
    }
  }

  return jsm;
}

type StreamConfig = Parameters<JetStreamManager['streams']['add']>[0];

async function upsertStream(jsm: JetStreamManager, config: StreamConfig) {
  try {
    await jsm.streams.info(config.name);
  } catch {
    await jsm.streams.add(config);
  }
}
