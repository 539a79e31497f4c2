/** How the dispatcher retries a failed action. */
export interface RetryPolicy {
  /** Deliveries after which a failing message is parked as dead. */
  maxDeliveries: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxDeliveries: 12,
  initialDelayMs: 250,
  maxDelayMs: 30_000,
};

/** Exponential back-off: 250 ms, 500 ms, 1 s, ... capped at `maxDelayMs`. */
export function retryDelayMs(policy: RetryPolicy, deliveries: number): number {
  const exponent = Math.max(0, deliveries - 1);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
}
