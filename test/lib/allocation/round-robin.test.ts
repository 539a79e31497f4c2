import { test } from 'node:test';
import assert from 'node:assert/strict';

import { allocate } from '../../../lib/allocation/allocator.ts';
import { emptyHistory } from '../../../lib/allocation/history.ts';
import type { AllocationHistory } from '../../../lib/allocation/types.ts';

const LABELS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

/**
 * Runs successive rounds with the same demand, feeding each round the history the previous
 * one returned, and lists per round the nodes granted as `label@provider`.
 */
function runRounds(
  rounds: number,
  providers: Record<string, number>,
  requests: Array<{ label: string; amount: number; providers: string[] }>,
): string[][] {
  let history: AllocationHistory = emptyHistory();
  const granted: string[][] = [];

  for (let round = 0; round < rounds; round += 1) {
    const outcome = allocate({
      providers: Object.entries(providers).map(([name, available]) => ({ name, available })),
      targets: ['jenkins1'],
      requests: requests.map((r) => ({ ...r, subnodes: 0, current: {} })),
      history,
    });

    history = outcome.history;
    granted.push(
      outcome.launches.flatMap((l) => Array<string>(l.count).fill(`${l.label}@${l.provider}`)),
    );
  }

  return granted;
}

function servedCount(granted: string[][], label: string): number {
  return granted.flat().filter((g) => g.startsWith(`${label}@`)).length;
}

test('one free slot cycles through eight labels, one label per round', () => {
  const requests = LABELS.map((label) => ({ label, amount: 1, providers: ['eqiad'] }));

  const granted = runRounds(16, { eqiad: 1 }, requests);

  // The first round has no history: the proportional share reaches a whole node only for
  // the second to last label. From then on whoever waited longest goes first.
  const order = ['golf', 'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'hotel'];
  assert.deepEqual(
    granted,
    [...order, ...order].map((label) => [`${label}@eqiad`]),
  );
  for (const label of LABELS) assert.equal(servedCount(granted, label), 2, label);
});

test('with a slot per label every label is served in every round', () => {
  const requests = LABELS.map((label) => ({ label, amount: 1, providers: ['eqiad', 'codfw'] }));

  const granted = runRounds(11, { eqiad: 4, codfw: 4 }, requests);

  for (const round of granted) {
    assert.deepEqual(round.map((g) => g.split('@')[0]).sort(), [...LABELS].sort());
    assert.equal(round.filter((g) => g.endsWith('@eqiad')).length, 4);
  }
});

test('a label asking for 100 nodes does not starve labels asking for one', () => {
  const requests = LABELS.map((label, i) => ({
    label,
    amount: i === 0 ? 100 : 1,
    providers: ['eqiad', 'codfw'],
  }));

  const granted = runRounds(15, { eqiad: 1, codfw: 1 }, requests);

  assert.deepEqual(granted[0], ['alpha@eqiad', 'alpha@codfw']);
  const small = LABELS.slice(1);
  for (let round = 1; round < 15; round += 1) {
    const smallLabel = small[(round - 1) % small.length];
    assert.deepEqual(granted[round], ['alpha@eqiad', `${smallLabel}@codfw`], `round ${round}`);
  }
  for (const label of small) assert.equal(servedCount(granted, label), 2, label);
});

/** alpha only on eqiad, hotel only on codfw, the others on both. */
function fixedProviderRequests(amount: number) {
  return LABELS.map((label, i) => ({
    label,
    amount,
    providers: i === 0 ? ['eqiad'] : i === LABELS.length - 1 ? ['codfw'] : ['eqiad', 'codfw'],
  }));
}

test('fixed providers with room for all serve every label from a provider it allows', () => {
  const granted = runRounds(11, { eqiad: 4, codfw: 4 }, fixedProviderRequests(1));

  for (const round of granted) {
    assert.deepEqual(round.map((g) => g.split('@')[0]).sort(), [...LABELS].sort());
    assert.ok(round.includes('alpha@eqiad'));
    assert.ok(round.includes('hotel@codfw'));
  }
});

test('fixed providers with one slot each: the shared one cycles through its labels', () => {
  const granted = runRounds(14, { eqiad: 1, codfw: 1 }, fixedProviderRequests(1));

  // alpha can only use eqiad and asks for a whole node there, while the others ask eqiad for
  // half a node, which rounds to nothing; so eqiad always goes to alpha, and the others take
  // turns on codfw.
  const codfwTurns = ['golf', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'hotel'];
  assert.deepEqual(
    granted,
    [...codfwTurns, ...codfwTurns].map((label) => ['alpha@eqiad', `${label}@codfw`]),
  );
});

test('over-subscribed fixed providers serve every label within any seven rounds', () => {
  const granted = runRounds(21, { eqiad: 1, codfw: 1 }, fixedProviderRequests(20));

  const cycle = [
    ['alpha@eqiad', 'golf@codfw'],
    ['bravo@eqiad', 'bravo@codfw'],
    ['charlie@eqiad', 'charlie@codfw'],
    ['delta@eqiad', 'delta@codfw'],
    ['echo@eqiad', 'echo@codfw'],
    ['foxtrot@eqiad', 'foxtrot@codfw'],
    ['alpha@eqiad', 'hotel@codfw'],
  ];
  assert.deepEqual(granted.slice(0, 7), cycle);

  for (let start = 0; start + 7 <= granted.length; start += 1) {
    const window = granted.slice(start, start + 7);
    for (const label of LABELS) {
      assert.ok(servedCount(window, label) > 0, `${label} starved from round ${start}`);
    }
  }
  for (const round of granted) assert.equal(round.length, 2);
});
