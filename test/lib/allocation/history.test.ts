import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  HISTORY_ROUNDS,
  appendRound,
  emptyHistory,
  parseAllocationHistory,
  waitTime,
} from '../../../lib/allocation/history.ts';
import { isWhiskpoolError } from '../../../lib/errors.ts';
import type { AllocationRound } from '../../../lib/allocation/types.ts';

const asked = (granted: number): AllocationRound => ({ trusty: { requested: 2, granted } });

const waitCases: Array<{ name: string; rounds: AllocationRound[]; expected: number }> = [
  { name: 'a label with no history has not waited', rounds: [], expected: 0 },
  {
    name: 'each recent round in which the label asked and got nothing adds one',
    rounds: [asked(0), asked(0), asked(0)],
    expected: 3,
  },
  {
    name: 'the wait ends at the last round in which the label got a node',
    rounds: [asked(0), asked(1), asked(0)],
    expected: 1,
  },
  {
    name: 'a label served in the last round has not waited',
    rounds: [asked(2), asked(0)],
    expected: 0,
  },
  {
    name: 'the wait ends at a round in which the label did not ask',
    rounds: [asked(0), { jessie: { requested: 1, granted: 0 } }, asked(0)],
    expected: 1,
  },
  {
    name: 'a round in which the label asked for zero is not a wait',
    rounds: [{ trusty: { requested: 0, granted: 0 } }, asked(0)],
    expected: 0,
  },
];

for (const c of waitCases) {
  test(c.name, () => {
    assert.equal(waitTime({ rounds: c.rounds }, 'trusty'), c.expected);
  });
}

test('a new round goes first and the history keeps only the last 100 rounds', () => {
  let history = emptyHistory();
  for (let i = 0; i < HISTORY_ROUNDS + 5; i += 1) {
    history = appendRound(history, { trusty: { requested: i + 1, granted: 0 } });
  }

  assert.equal(HISTORY_ROUNDS, 100);
  assert.equal(history.rounds.length, 100);
  assert.deepEqual(history.rounds[0], { trusty: { requested: 105, granted: 0 } });
  assert.deepEqual(history.rounds[99], { trusty: { requested: 6, granted: 0 } });
});

test('appending a round leaves the previous history value unchanged', () => {
  const before = { rounds: [asked(1)] };
  const after = appendRound(before, asked(0));

  assert.deepEqual(before, { rounds: [asked(1)] });
  assert.equal(after.rounds.length, 2);
});

test('a history survives a JSON round trip through the database', () => {
  const history = appendRound(appendRound(emptyHistory(), asked(0)), asked(2));

  assert.deepEqual(parseAllocationHistory(JSON.parse(JSON.stringify(history))), history);
});

test('no stored history yet reads as an empty history', () => {
  assert.deepEqual(parseAllocationHistory(null), { rounds: [] });
  assert.deepEqual(parseAllocationHistory(undefined), { rounds: [] });
});

const malformed: Array<[string, unknown]> = [
  ['that is a string', 'rounds'],
  ['without rounds', { past: [] }],
  ['with a round that is a list', { rounds: [[1, 2]] }],
  ['with a label entry lacking granted', { rounds: [{ trusty: { requested: 1 } }] }],
  ['with a negative count', { rounds: [{ trusty: { requested: -1, granted: 0 } }] }],
  ['with a fractional count', { rounds: [{ trusty: { requested: 1.5, granted: 0 } }] }],
];

for (const [what, value] of malformed) {
  test(`a stored history ${what} is refused`, () => {
    assert.throws(
      () => parseAllocationHistory(value),
      (error) =>
        isWhiskpoolError(error, 'WP_USAGE_INVALID') && /allocation history/.test(error.message),
    );
  });
}
