import { setTimeout as sleep } from 'node:timers/promises';

import type { CloudProvider } from '../cloud/provider.ts';
import type { Database } from '../db/connect.ts';
import { ErrorCode, WhiskpoolError } from '../errors.ts';
import { lockState, writeState } from './pool-state.ts';

/** Longer than this, a call is not waited for: the step is retried later instead. */
const MAX_WAIT_MS = 15_000;

/**
 * Keeps calls to one provider at least `rate` seconds apart, start to start, across every
 * action container: each call reserves the next free slot in the database before it goes
 * out. Nodepool had one thread per provider doing the same; whiskpool's steps run in many
 * containers at once, so the slot lives where they all see it.
 */
export function pacedCloud(cloud: CloudProvider, db: Database, rateSeconds: number) {
  if (rateSeconds <= 0) return cloud;
  const rateMs = rateSeconds * 1000;
  const slotName = `rate:${cloud.name}`;

  async function reserve() {
    const slot = await db.transaction(async (trx) => {
      const now = Date.now();
      const next = await lockState<number>(trx, slotName, 0);
      const start = Math.max(next, now);
      if (start - now <= MAX_WAIT_MS) await writeState(trx, slotName, start + rateMs, now);
      return start;
    });
    // Waited for until the slot itself, not for a span measured before the transaction
    // queued, so that calls start in their slots and never early.
    const wait = slot - Date.now();
    if (wait > MAX_WAIT_MS) {
      throw new WhiskpoolError(
        ErrorCode.CloudUnavailable,
        `provider ${cloud.name}: its call rate allows no call for ${Math.round(wait / 1000)} s`,
        { retryable: true, retryAfterMs: wait },
      );
    }
    if (wait > 0) await sleep(wait);
  }

  // A proxy rather than a list of methods, so that calls added to CloudProvider later are
  // paced too.
  return new Proxy(cloud, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await reserve();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
