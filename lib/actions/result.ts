import type { ActionError } from '../errors.ts';

/**
 * What every whiskpool action returns. Expected failures come back as data in `error`
 * (OpenWhisk records them as application errors); only surprises throw.
 */
export interface ActionResult {
  /** Nothing to do now; ask again after this long (a server still booting, say). */
  retryAfterMs?: number;
  error?: ActionError;
  /** What the action did, for logs and tests. Never holds secrets. */
  summary?: Record<string, unknown>;
}

export function isActionResult(value: unknown): value is ActionResult {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
