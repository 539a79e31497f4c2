import { ErrorCode, WhiskpoolError } from '../errors.ts';
import type { AllocationHistory, AllocationRound, LabelRound } from './types.ts';

/** Rounds kept; Nodepool kept the same number in memory. */
export const HISTORY_ROUNDS = 100;

export function emptyHistory(): AllocationHistory {
  return { rounds: [] };
}

/**
 * Rounds in a row, most recent first, in which the label asked for nodes and got none.
 * A round in which it did not ask ends the streak, so a label is not favoured for demand
 * it never had.
 */
export function waitTime(history: AllocationHistory, label: string): number {
  let wait = 0;

  for (const round of history.rounds) {
    const entry = Object.hasOwn(round, label) ? round[label] : undefined;
    if (entry === undefined || entry.requested <= 0 || entry.granted !== 0) break;
    wait += 1;
  }

  return wait;
}

/** A new history with `round` as the newest round, trimmed to HISTORY_ROUNDS. */
export function appendRound(history: AllocationHistory, round: AllocationRound): AllocationHistory {
  return { rounds: [round, ...history.rounds].slice(0, HISTORY_ROUNDS) };
}

/**
 * Reads a history stored as JSON. A missing value (first round ever) is an empty history;
 * anything else malformed is refused rather than guessed at.
 */
export function parseAllocationHistory(value: unknown): AllocationHistory {
  if (value === null || value === undefined) return emptyHistory();

  if (typeof value !== 'object' || !Array.isArray((value as { rounds?: unknown }).rounds)) {
    throw invalid('it must be an object with a "rounds" array');
  }

  const rounds = (value as { rounds: unknown[] }).rounds.map((round, index) => {
    if (typeof round !== 'object' || round === null || Array.isArray(round)) {
      throw invalid(`round ${index} must be an object keyed by label`);
    }

    const parsed: AllocationRound = {};
    for (const [label, entry] of Object.entries(round)) {
      parsed[label] = parseLabelRound(entry, `round ${index}, label '${label}'`);
    }
    return parsed;
  });

  return { rounds: rounds.slice(0, HISTORY_ROUNDS) };
}

function parseLabelRound(entry: unknown, where: string): LabelRound {
  const { requested, granted } = (entry ?? {}) as Partial<Record<string, unknown>>;

  if (!isCount(requested) || !isCount(granted)) {
    throw invalid(`${where}: requested and granted must be non-negative integers`);
  }

  return { requested, granted };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function invalid(reason: string): WhiskpoolError {
  return new WhiskpoolError(ErrorCode.UsageInvalid, `allocation history: ${reason}`);
}
