import { test } from 'node:test';
import assert from 'node:assert/strict';

import { allocate } from '../../../lib/allocation/allocator.ts';
import { emptyHistory } from '../../../lib/allocation/history.ts';
import { isWhiskpoolError } from '../../../lib/errors.ts';

interface Case {
  name: string;
  /** Free slots per provider, in the order they grant. */
  providers: Record<string, number>;
  /** label, nodes wanted, providers with its image, subnodes per node */
  requests: Array<[string, number, string[], number?]>;
  /** `label@provider=count`, in the order granted */
  expected: string[];
}

const cases: Case[] = [
  {
    name: 'one label with room gets every node it asks for',
    providers: { eqiad: 10 },
    requests: [['trusty', 3, ['eqiad']]],
    expected: ['trusty@eqiad=3'],
  },
  {
    name: 'one label asking for more than the free slots gets the free slots',
    providers: { eqiad: 2 },
    requests: [['trusty', 5, ['eqiad']]],
    expected: ['trusty@eqiad=2'],
  },
  {
    name: 'two labels on one provider with room both get what they ask for',
    providers: { eqiad: 10 },
    requests: [
      ['trusty', 2, ['eqiad']],
      ['jessie', 3, ['eqiad']],
    ],
    expected: ['trusty@eqiad=2', 'jessie@eqiad=3'],
  },
  {
    name: 'two labels on one short provider share its slots in proportion to their requests',
    providers: { eqiad: 3 },
    requests: [
      ['trusty', 3, ['eqiad']],
      ['jessie', 3, ['eqiad']],
    ],
    expected: ['trusty@eqiad=2', 'jessie@eqiad=1'],
  },
  {
    name: 'a request is split over two providers in proportion to their free slots',
    providers: { eqiad: 10, codfw: 10 },
    requests: [
      ['trusty', 3, ['eqiad', 'codfw']],
      ['jessie', 3, ['eqiad', 'codfw']],
    ],
    expected: ['trusty@eqiad=2', 'jessie@eqiad=2', 'trusty@codfw=1', 'jessie@codfw=1'],
  },
  {
    name: 'half nodes round up on the first provider and the rest go to the second',
    providers: { eqiad: 10, codfw: 10 },
    requests: [
      ['trusty', 5, ['eqiad', 'codfw']],
      ['jessie', 5, ['eqiad', 'codfw']],
    ],
    expected: ['trusty@eqiad=3', 'jessie@eqiad=3', 'trusty@codfw=2', 'jessie@codfw=2'],
  },
  {
    name: 'at quota every slot of both providers is used and both labels are served',
    providers: { eqiad: 3, codfw: 3 },
    requests: [
      ['trusty', 3, ['eqiad', 'codfw']],
      ['jessie', 3, ['eqiad', 'codfw']],
    ],
    expected: ['trusty@eqiad=2', 'jessie@eqiad=1', 'trusty@codfw=1', 'jessie@codfw=2'],
  },
  {
    name: 'over quota the free slots are shared evenly and no provider gives more than it has',
    providers: { eqiad: 2, codfw: 2 },
    requests: [
      ['trusty', 6, ['eqiad', 'codfw']],
      ['jessie', 6, ['eqiad', 'codfw']],
    ],
    expected: ['trusty@eqiad=1', 'jessie@eqiad=1', 'trusty@codfw=1', 'jessie@codfw=1'],
  },
  {
    name: 'a provider with negative free slots gives nothing and the other serves everything',
    providers: { eqiad: -4, codfw: 12 },
    requests: [
      ['trusty', 4, ['eqiad', 'codfw']],
      ['jessie', 4, ['eqiad', 'codfw']],
    ],
    expected: ['trusty@codfw=4', 'jessie@codfw=4'],
  },
  {
    name: 'a label only one provider can serve is served there before a label that can move',
    providers: { eqiad: 10, codfw: 10 },
    requests: [
      ['trusty', 3, ['eqiad']],
      ['jessie', 3, ['eqiad', 'codfw']],
    ],
    expected: ['trusty@eqiad=3', 'jessie@eqiad=2', 'jessie@codfw=1'],
  },
  {
    name: 'at quota the restricted label fills its provider and the other label moves over',
    providers: { eqiad: 3, codfw: 3 },
    requests: [
      ['trusty', 3, ['eqiad']],
      ['jessie', 3, ['eqiad', 'codfw']],
    ],
    expected: ['trusty@eqiad=3', 'jessie@codfw=3'],
  },
  {
    name: 'over quota the restricted label gets its provider and the other label the rest',
    providers: { eqiad: 2, codfw: 2 },
    requests: [
      ['trusty', 6, ['eqiad']],
      ['jessie', 6, ['eqiad', 'codfw']],
    ],
    expected: ['trusty@eqiad=2', 'jessie@codfw=2'],
  },
  {
    name: 'a node with two subnodes costs three slots, so only whole node sets are granted',
    providers: { eqiad: 10 },
    requests: [['multinode', 5, ['eqiad'], 2]],
    expected: ['multinode@eqiad=3'],
  },
  {
    name: 'slots taken by node sets are no longer free for the next label',
    providers: { eqiad: 10 },
    requests: [
      ['multinode', 5, ['eqiad'], 2],
      ['trusty', 5, ['eqiad']],
    ],
    expected: ['multinode@eqiad=3', 'trusty@eqiad=1'],
  },
  {
    name: 'a label with no provider holding its image gets nothing',
    providers: { eqiad: 10 },
    requests: [
      ['trusty', 3, []],
      ['jessie', 2, ['eqiad']],
    ],
    expected: ['jessie@eqiad=2'],
  },
  {
    name: 'labels named like object properties are labels like any other',
    providers: { eqiad: 10 },
    requests: [
      ['constructor', 2, ['eqiad']],
      ['toString', 1, ['eqiad']],
    ],
    expected: ['constructor@eqiad=2', 'toString@eqiad=1'],
  },
  {
    name: 'a label asking for nothing gets nothing',
    providers: { eqiad: 10 },
    requests: [['trusty', 0, ['eqiad']]],
    expected: [],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const outcome = allocate({
      providers: Object.entries(c.providers).map(([name, available]) => ({ name, available })),
      targets: ['jenkins1'],
      requests: c.requests.map(([label, amount, providers, subnodes]) => ({
        label,
        amount,
        providers,
        subnodes: subnodes ?? 0,
        current: {},
      })),
      history: emptyHistory(),
    });

    const granted = outcome.launches.map((l) => `${l.label}@${l.provider}=${l.count}`);
    assert.deepEqual(granted, c.expected);
  });
}

test('a grant is spread over the online targets to even out the label on each', () => {
  const outcome = allocate({
    providers: [{ name: 'eqiad', available: 10 }],
    targets: ['jenkins1', 'jenkins2'],
    requests: [
      {
        label: 'trusty',
        amount: 4,
        subnodes: 0,
        providers: ['eqiad'],
        current: { jenkins1: 2, jenkins2: 0 },
      },
    ],
    history: emptyHistory(),
  });

  assert.deepEqual(outcome.launches, [
    { label: 'trusty', provider: 'eqiad', target: 'jenkins1', count: 1 },
    { label: 'trusty', provider: 'eqiad', target: 'jenkins2', count: 3 },
  ]);
});

test('with no online target nothing is granted and the round records no request', () => {
  const outcome = allocate({
    providers: [{ name: 'eqiad', available: 10 }],
    targets: [],
    requests: [{ label: 'trusty', amount: 4, subnodes: 0, providers: ['eqiad'], current: {} }],
    history: emptyHistory(),
  });

  assert.deepEqual(outcome.launches, []);
  assert.deepEqual(outcome.history.rounds, [{}]);
});

test('the round records what each label asked for and what it was granted', () => {
  const outcome = allocate({
    providers: [{ name: 'eqiad', available: 3 }],
    targets: ['jenkins1'],
    requests: [
      { label: 'trusty', amount: 3, subnodes: 0, providers: ['eqiad'], current: {} },
      { label: 'jessie', amount: 3, subnodes: 0, providers: ['eqiad'], current: {} },
      { label: 'idle', amount: 0, subnodes: 0, providers: ['eqiad'], current: {} },
    ],
    history: emptyHistory(),
  });

  assert.deepEqual(outcome.history.rounds, [
    { trusty: { requested: 3, granted: 2 }, jessie: { requested: 3, granted: 1 } },
  ]);
});

test('the same input always gives the same launches', () => {
  const input = {
    providers: [
      { name: 'eqiad', available: 7 },
      { name: 'codfw', available: 5 },
    ],
    targets: ['jenkins1', 'jenkins2'],
    requests: ['a', 'b', 'c', 'd'].map((label, i) => ({
      label,
      amount: 2 + i * 3,
      subnodes: i % 2,
      providers: i === 0 ? ['codfw'] : ['eqiad', 'codfw'],
      current: { jenkins1: i, jenkins2: 0 },
    })),
    history: emptyHistory(),
  };

  const first = allocate(input);
  for (let i = 0; i < 5; i += 1) assert.deepEqual(allocate(input), first);
});

test('a label requested twice in one round is refused, even asking for nothing', () => {
  const request = { label: 'trusty', amount: 0, subnodes: 0, providers: ['eqiad'], current: {} };
  assert.throws(
    () =>
      allocate({
        providers: [{ name: 'eqiad', available: 3 }],
        targets: ['jenkins1'],
        requests: [request, request],
        history: emptyHistory(),
      }),
    (error) => isWhiskpoolError(error, 'WP_USAGE_INVALID') && /'trusty'/.test(error.message),
  );
});
