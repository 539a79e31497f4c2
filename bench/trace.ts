import type { NatsConnection, Subscription } from '@nats-io/transport-node';

import { Subject, WORK_SUBJECTS } from '../lib/events/subjects.ts';
import { connectNats } from '../lib/nats/connect.ts';

/** When a message of the pool was published, as a plain subscriber saw it go by. */
export interface Sighting {
  subject: string;
  at: number;
  data: Record<string, unknown>;
}

export interface Trace {
  sightings(): Sighting[];
  stop(): Promise<void>;
}

/** Only these say where a life cycle's latency goes; the rest are not kept. */
const KEPT: ReadonlySet<string> = new Set([
  Subject.Demand,
  Subject.NodeSpawn,
  Subject.BuildFinalized,
  Subject.NodeDelete,
]);

/**
 * Watches the pool's messages go by with a core NATS subscription, which JetStream's
 * work queue does not notice: a copy of each message, stamped on arrival.
 */
export async function traceMessages(url: string): Promise<Trace> {
  const nc: NatsConnection = await connectNats(url, 'whiskpool-bench-trace');
  const seen: Sighting[] = [];
  const subscription: Subscription = nc.subscribe(WORK_SUBJECTS, {
    callback(error, msg) {
      if (error || !KEPT.has(msg.subject)) return;
      try {
        seen.push({ subject: msg.subject, at: Date.now(), data: msg.json() });
      } catch {
        // Not JSON: the dispatcher parks it; nothing to time.
      }
    },
  });
  return {
    sightings: () => seen,
    async stop() {
      subscription.unsubscribe();
      await nc.drain();
    },
  };
}
