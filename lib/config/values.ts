import type { SecretOrigin } from './types.ts';

/** Drops keys whose value is undefined, so configs compare and print cleanly. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as T;
}

export interface Given<T> {
  value: T;
  from: SecretOrigin;
}

/** The first candidate that has a value, with where it came from; candidates go by precedence. */
export function firstGiven<T>(
  candidates: readonly (readonly [SecretOrigin, T | undefined])[],
): Given<T> | undefined {
  for (const [from, value] of candidates) {
    if (value !== undefined) return { value, from };
  }
  return undefined;
}
