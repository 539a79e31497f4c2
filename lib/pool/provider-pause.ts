import type { Knex } from 'knex';

import { readState, writeState } from './pool-state.ts';

/** First pause after a quota refusal; doubled on each refusal in a row, up to the cap. */
const FIRST_PAUSE_MS = 5_000;
const MAX_PAUSE_MS = 300_000;

interface Pause {
  until: number;
  lengthMs: number;
}

const key = (provider: string) => `pause:${provider}`;

/**
 * A provider that refused a server for quota is left alone for a while: launches wait
 * instead of hammering it (Wikimedia once saw most of its API calls refused), and reconcile
 * plans nothing on it until the pause ends.
 */
export async function pauseProvider(
  db: Knex,
  provider: string,
  now: number,
  atLeastMs = 0,
): Promise<number> {
  const previous = await readState<Pause | null>(db, key(provider), null);
  const doubled = previous && previous.until + previous.lengthMs > now ? previous.lengthMs * 2 : 0;
  const lengthMs = Math.min(MAX_PAUSE_MS, Math.max(FIRST_PAUSE_MS, doubled, atLeastMs));
  await writeState(db, key(provider), { until: now + lengthMs, lengthMs }, now);
  return lengthMs;
}

/** Milliseconds left in the provider's pause; 0 when it may be used. */
export async function pausedFor(db: Knex | Knex.Transaction, provider: string, now: number) {
  const pause = await readState<Pause | null>(db, key(provider), null);
  return pause ? Math.max(0, pause.until - now) : 0;
}
