import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

import type { OpenStackOptions, OpenStackProvider } from '../../../../lib/cloud/index.ts';
import { isWhiskpoolError } from '../../../../lib/errors.ts';
import { createLogger, type Logger } from '../../../../lib/log.ts';

/**
 * One cloud the contract runs against, and the few things only its harness can do. Both
 * clouds hold Nova's classic flavors (m1.tiny to m1.xlarge, ids 1 to 5), three images of one
 * name (an older active, a newer active and a newest queued one) and no instance quota.
 */
export interface CloudFixture {
  /** A client of the test project; `options` override the fixture's own (region, password). */
  client(options?: Partial<OpenStackOptions>, log?: Logger): OpenStackProvider;
  /** Regions whose catalog offers compute and image on all three interfaces. */
  regions: readonly string[];
  /** How long Keystone's tokens live there. */
  tokenLifetimeMs: number;
  image: { name: string; newestActiveId: string; olderActiveId: string; queuedId: string };
  /** Secrets that no error message may show. */
  secrets: readonly string[];
  /** How long a server may take to boot or to vanish, or a snapshot to turn active. */
  patienceMs: number;
  /** Client options of a user of the project whose tokens `revokeTokens` revokes. */
  revocable: Partial<OpenStackOptions>;
  /**
   * Makes the cloud refuse every token issued so far to the `revocable` user (and maybe to
   * others: a client must renew such a token transparently), as after a revocation.
   */
  revokeTokens(): Promise<void>;
  /** The test project's instance quota; -1 for none. */
  setInstanceQuota(max: number): Promise<void>;
  close(): Promise<void>;
}

/** A logger whose records a test can read back, to see what a client said it did. */
export function recordingLogger(): { log: Logger; messages: () => string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger({ name: 'test.contract', level: 'debug', destination });
  return {
    log,
    messages: () => lines.map((line) => String((JSON.parse(line) as { msg?: unknown }).msg)),
  };
}

/**
 * Asks again every quarter second until `check` gives a value, for at most `timeoutMs`. A
 * real cloud is asked no faster than a Nodepool of the time polled it.
 */
export async function eventually<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(250);
  }
}

/**
 * A check that counts a cloud call which may succeed later (a timeout, a 503) as "not yet":
 * while a test waits for a state, a busy cloud's hiccup is no failure of what is tested.
 */
export function patiently<T>(check: () => Promise<T | undefined>): () => Promise<T | undefined> {
  return async () => {
    try {
      return await check();
    } catch (error) {
      if (isWhiskpoolError(error) && error.retryable) return undefined;
      throw error;
    }
  };
}
