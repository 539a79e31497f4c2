import { setTimeout as sleep } from 'node:timers/promises';

import { jetstream, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

import type { Logger } from '../../lib/log.ts';
import {
  CONSUMERS,
  DEAD_PREFIX,
  ROUTES,
  Subject,
  WORK_STREAM,
  isSubject,
  type ConsumerSpec,
} from '../../lib/events/subjects.ts';
import type { ActionResult } from '../../lib/actions/result.ts';
import type { ActionInvoker } from './invoker.ts';
import { retryDelayMs, type RetryPolicy } from './retry.ts';

/** Subjects whose message is covered by any later one of its consumer. */
const COALESCED = new Set<string>([Subject.Demand, Subject.Reconcile]);

export interface DispatcherOptions {
  nc: NatsConnection;
  invoker: ActionInvoker;
  log: Logger;
  retry: RetryPolicy;
  consumers?: readonly ConsumerSpec[];
  /** Called after each message is settled, for metrics and tests. */
  onSettled?(outcome: Settlement): void;
}

export interface Settlement {
  subject: string;
  action: string;
  outcome: 'ack' | 'retry' | 'wait' | 'dead' | 'skipped';
  ms: number;
}

export interface Dispatcher {
  stop(): Promise<void>;
}

/**
 * Consumes the work queue and runs the action for each message. A message is acknowledged
 * only after its action succeeded, redelivered with back-off after a failure, and parked
 * under `whiskpool-dead.>` (then removed from the queue) after too many.
 */
export function startDispatcher(options: DispatcherOptions): Dispatcher {
  const { nc, log } = options;
  const js = jetstream(nc);
  let stopping = false;
  const stoppers: (() => void)[] = [];

  async function runConsumer(spec: ConsumerSpec) {
    while (!stopping) {
      try {
        const consumer = await js.consumers.get(WORK_STREAM, spec.durable);
        const messages = await consumer.consume({ max_messages: spec.concurrency });
        stoppers.push(() => void messages.stop());

        const inFlight = new Set<Promise<void>>();
        for await (const msg of messages) {
          const work = handle(spec, msg).finally(() => inFlight.delete(work));
          inFlight.add(work);
          if (inFlight.size >= spec.concurrency) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
      } catch (error) {
        if (stopping) return;
        log.warn({ consumer: spec.durable, err: describe(error) }, 'consumer stopped; restarting');
        await sleep(500);
      }
    }
  }

  async function handle(spec: ConsumerSpec, msg: JsMsg) {
    const started = performance.now();
    const subject = msg.subject;
    const action = isSubject(subject) ? ROUTES[subject] : undefined;
    const settle = (outcome: Settlement['outcome']) =>
      options.onSettled?.({
        subject,
        action: action ?? 'none',
        outcome,
        ms: performance.now() - started,
      });

    if (!action) {
      log.warn({ subject }, 'message on a subject no action handles; dropped');
      msg.ack();
      settle('skipped');
      return;
    }

    // Demand is a snapshot: when a newer one already waits, this one is stale. A reconcile
    // request with another tick waiting behind it is served by that one, which reconciles
    // too and starts later: when many nodes go at once, one pass replaces them all.
    if (COALESCED.has(subject) && msg.info.pending > 0) {
      msg.ack();
      settle('skipped');
      return;
    }

    let event: unknown;
    try {
      event = msg.json();
    } catch {
      log.warn({ subject, seq: msg.seq }, 'message is not JSON; parked');
      await park(msg, { code: 'WP_EVENT_INVALID', message: 'not JSON', retryable: false });
      settle('dead');
      return;
    }

    const deliveries = msg.info.deliveryCount;
    let result: ActionResult;
    try {
      result = await options.invoker.invoke(action, { subject, event, deliveries });
    } catch (error) {
      result = {
        error: { code: 'WP_ACTION_FAILED', message: describe(error), retryable: true },
      };
    }

    if (result.error) {
      const { error } = result;
      if (error.retryable && deliveries < options.retry.maxDeliveries) {
        const delay = retryDelayMs(options.retry, deliveries);
        log.info({ subject, action, deliveries, delay, error }, 'action failed; will retry');
        msg.nak(delay);
        settle('retry');
        return;
      }
      log.error({ subject, action, deliveries, error }, 'action failed for good; parked');
      await park(msg, error);
      settle('dead');
      return;
    }

    if (result.retryAfterMs !== undefined) {
      msg.nak(result.retryAfterMs);
      settle('wait');
      return;
    }

    msg.ack();
    settle('ack');
  }

  async function park(msg: JsMsg, error: { code: string; message: string; retryable: boolean }) {
    try {
      const body = { subject: msg.subject, data: msg.string(), error, at: Date.now() };
      await js.publish(`${DEAD_PREFIX}.${msg.subject}`, JSON.stringify(body));
      // Acknowledged, not terminated: nats-server 2.9 keeps terminated messages in a
      // work-queue stream, where they would pile up; the copy lives on in the dead stream.
      msg.ack();
    } catch (parkError) {
      // Leave it to redelivery rather than lose it.
      log.error({ err: describe(parkError) }, 'could not park a dead message');
      msg.nak(options.retry.maxDelayMs);
    }
  }

  const running = (options.consumers ?? CONSUMERS).map((spec) => runConsumer(spec));

  return {
    async stop() {
      stopping = true;
      for (const stop of stoppers) stop();
      await Promise.allSettled(running);
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
