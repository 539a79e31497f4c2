import { test } from 'node:test';
import assert from 'node:assert/strict';

import { planLaunches, waitTime } from '../../../lib/allocation/index.ts';
import type { AllocationHistory, PlanInput } from '../../../lib/allocation/types.ts';
import { isWhiskpoolError } from '../../../lib/errors.ts';
import { describeLaunches, label, nodes, planInput, provider } from './fixtures.ts';

const TWO_TARGETS = [
  { name: 'jenkins1', online: true },
  { name: 'jenkins2', online: true },
];

test('launches cover demand minus supply and even out the label over online targets', () => {
  const result = planLaunches(
    planInput({
      labels: [label('trusty', ['eqiad'])],
      providers: [provider('eqiad', 10, ['trusty'])],
      targets: TWO_TARGETS,
      demand: new Map([['trusty', 5]]),
      nodes: [nodes(1, 'ready', { label: 'trusty', provider: 'eqiad', target: 'jenkins1' })],
    }),
  );

  assert.deepEqual(describeLaunches(result.launches), [
    'trusty@eqiad>jenkins1=2',
    'trusty@eqiad>jenkins2=2',
  ]);
});

test('an offline target gets no launches and its nodes do not count as supply', () => {
  const result = planLaunches(
    planInput({
      labels: [label('trusty', ['eqiad'])],
      providers: [provider('eqiad', 10, ['trusty'])],
      targets: [
        { name: 'jenkins1', online: true },
        { name: 'jenkins2', online: false },
      ],
      demand: { trusty: 2 },
      nodes: [nodes(2, 'ready', { label: 'trusty', provider: 'eqiad', target: 'jenkins2' })],
    }),
  );

  assert.deepEqual(describeLaunches(result.launches), ['trusty@eqiad>jenkins1=2']);
  assert.equal(result.providers[0]?.available, 8);
});

test('with every target offline nothing is launched and no label is recorded as waiting', () => {
  const result = planLaunches(
    planInput({
      labels: [label('trusty', ['eqiad'])],
      providers: [provider('eqiad', 10, ['trusty'])],
      targets: [{ name: 'jenkins1', online: false }],
      demand: { trusty: 3 },
    }),
  );

  assert.deepEqual(result.launches, []);
  assert.deepEqual(result.history.rounds, [{}]);
});

test('a provider without a ready image for the label gets nothing for it', () => {
  const result = planLaunches(
    planInput({
      labels: [label('trusty', ['eqiad', 'codfw'])],
      providers: [provider('eqiad', 10, ['jessie']), provider('codfw', 10, ['trusty'])],
      demand: { trusty: 4 },
    }),
  );

  assert.deepEqual(describeLaunches(result.launches), ['trusty@codfw>jenkins1=4']);
});

test('a label whose providers all lack its image gets nothing and is recorded as waiting', () => {
  const result = planLaunches(
    planInput({
      labels: [label('trusty', ['eqiad'])],
      providers: [provider('eqiad', 10, [])],
      demand: { trusty: 3 },
    }),
  );

  assert.deepEqual(result.launches, []);
  assert.deepEqual(result.history.rounds[0], { trusty: { requested: 3, granted: 0 } });
  assert.equal(waitTime(result.history, 'trusty'), 1);
});

test('subnodes of existing and new nodes are charged against max-servers', () => {
  const result = planLaunches(
    planInput({
      labels: [label('multinode', ['eqiad'], { subnodes: 1 })],
      providers: [provider('eqiad', 5, ['multinode'])],
      demand: { multinode: 5 },
      nodes: [nodes(1, 'in-use', { label: 'multinode', provider: 'eqiad' })],
    }),
  );

  // One node and its subnode hold 2 of 5 servers; 3 are free, enough for one more pair.
  assert.equal(result.providers[0]?.available, 3);
  assert.equal(result.needed[0]?.demand, 4);
  assert.deepEqual(describeLaunches(result.launches), ['multinode@eqiad>jenkins1=1']);
});

test('a disabled label gets nothing even when builds wait for it', () => {
  const result = planLaunches(
    planInput({
      labels: [label('trusty', ['eqiad'], { minReady: -1 })],
      providers: [provider('eqiad', 10, ['trusty'])],
      demand: { trusty: 5 },
    }),
  );

  assert.deepEqual(result.launches, []);
  assert.equal(result.needed[0]?.demand, 0);
});

for (const [maxServers, expected] of [
  [2, 1],
  [3, 3],
] as const) {
  test(`min-ready is booted only when it fits: ${maxServers} slots launch ${expected}`, () => {
    const result = planLaunches(
      planInput({
        labels: [label('trusty', ['eqiad'], { minReady: 2 })],
        providers: [provider('eqiad', maxServers, ['trusty'])],
        demand: { trusty: 1 },
      }),
    );

    assert.deepEqual(describeLaunches(result.launches), [`trusty@eqiad>jenkins1=${expected}`]);
  });
}

test('the returned history, stored as JSON, makes the next round serve the waiting label', () => {
  let history: AllocationHistory = { rounds: [] };
  const served: string[] = [];

  for (let round = 0; round < 4; round += 1) {
    const result = planLaunches(
      planInput({
        labels: [label('trusty', ['eqiad']), label('jessie', ['eqiad'])],
        providers: [provider('eqiad', 1, ['trusty', 'jessie'])],
        demand: { trusty: 1, jessie: 1 },
        history,
      }),
    );

    history = JSON.parse(JSON.stringify(result.history)) as AllocationHistory;
    served.push(...result.launches.map((l) => l.label));
  }

  assert.deepEqual(served, ['trusty', 'jessie', 'trusty', 'jessie']);
});

test('the result explains each label need and each provider capacity', () => {
  const result = planLaunches(
    planInput({
      labels: [label('trusty', ['eqiad'], { minReady: 1 }), label('jessie', ['eqiad'])],
      providers: [provider('eqiad', 6, ['trusty', 'jessie'])],
      demand: new Map([['jessie', 2]]),
      nodes: [nodes(2, 'deleting', { label: 'jessie', provider: 'eqiad' })],
    }),
  );

  assert.deepEqual(result.providers, [
    { provider: 'eqiad', maxServers: 6, servers: 2, available: 4, overAllocated: false },
  ]);
  assert.deepEqual(
    result.needed.map((n) => [n.label, n.start, n.supply, n.capacity, n.demand]),
    [
      ['trusty', 0, 0, 4, 1],
      ['jessie', 2, 0, 4, 2],
    ],
  );
});

test('planning leaves its input untouched and gives the same plan twice', () => {
  const input = planInput({
    labels: [label('trusty', ['eqiad', 'codfw']), label('jessie', ['codfw'], { subnodes: 1 })],
    providers: [provider('eqiad', 4, ['trusty']), provider('codfw', 7, ['trusty', 'jessie'])],
    targets: TWO_TARGETS,
    demand: { trusty: 6, jessie: 3 },
    nodes: [nodes(1, 'ready', { label: 'jessie', provider: 'codfw', target: 'jenkins2' })],
    history: { rounds: [{ jessie: { requested: 2, granted: 0 } }] },
  });
  const before = structuredClone(input);

  const first = planLaunches(input);

  assert.deepEqual(input, before);
  assert.deepEqual(planLaunches(input), first);
});

function base(): PlanInput {
  return planInput({
    labels: [label('trusty', ['eqiad'])],
    providers: [provider('eqiad', 10, ['trusty'])],
    demand: { trusty: 1 },
  });
}

const LOST = { state: 'lost' } as unknown as { state: 'ready' };

const invalid: Array<[string, (input: PlanInput) => void, string, RegExp]> = [
  [
    'a label defined twice',
    (i) => i.labels.push(label('trusty', [])),
    'WP_CONFIG_INVALID',
    /label 'trusty' is defined twice/,
  ],
  [
    'a provider defined twice',
    (i) => i.providers.push(provider('eqiad', 1, [])),
    'WP_CONFIG_INVALID',
    /provider 'eqiad' is defined twice/,
  ],
  [
    'a target defined twice',
    (i) => i.targets.push({ name: 'jenkins1', online: false }),
    'WP_CONFIG_INVALID',
    /target 'jenkins1' is defined twice/,
  ],
  [
    'a negative max-servers',
    (i) => i.providers.push(provider('codfw', -3, [])),
    'WP_CONFIG_INVALID',
    /provider 'codfw': max-servers must be a non-negative integer, got -3/,
  ],
  [
    'a fractional max-servers',
    (i) => i.providers.push(provider('codfw', 2.5, [])),
    'WP_CONFIG_INVALID',
    /max-servers .* got 2\.5/,
  ],
  [
    'a min-ready below -1',
    (i) => i.labels.push(label('jessie', [], { minReady: -2 })),
    'WP_CONFIG_INVALID',
    /label 'jessie': min-ready must be an integer of -1 or more, got -2/,
  ],
  [
    'negative subnodes',
    (i) => i.labels.push(label('jessie', [], { subnodes: -1 })),
    'WP_CONFIG_INVALID',
    /label 'jessie': subnodes/,
  ],
  [
    'a label naming an unknown provider',
    (i) => i.labels.push(label('jessie', ['ulsfo'])),
    'WP_CONFIG_INVALID',
    /label 'jessie': provider 'ulsfo' is not a configured provider/,
  ],
  [
    'a negative demand',
    (i) => (i.demand = { trusty: -1 }),
    'WP_USAGE_INVALID',
    /demand for label 'trusty' must be a non-negative integer, got -1/,
  ],
  [
    'a fractional node count',
    (i) => i.nodes.push(nodes(0.5, 'ready', { label: 'trusty', provider: 'eqiad' })),
    'WP_USAGE_INVALID',
    /nodes of label 'trusty' on 'eqiad' \/ 'jenkins1': count/,
  ],
  [
    'an unknown node state',
    (i) => i.nodes.push({ ...nodes(1, 'ready', { label: 'trusty', provider: 'eqiad' }), ...LOST }),
    'WP_USAGE_INVALID',
    /unknown state 'lost'/,
  ],
  [
    'a negative subnode count',
    (i) => i.nodes.push(nodes(1, 'ready', { label: 'trusty', provider: 'eqiad', subnodes: -2 })),
    'WP_USAGE_INVALID',
    /subnodes must be a non-negative integer, got -2/,
  ],
  [
    'a malformed history',
    (i) => (i.history = { rounds: [{ trusty: { requested: 1, granted: -1 } }] }),
    'WP_USAGE_INVALID',
    /allocation history/,
  ],
];

for (const [what, spoil, code, message] of invalid) {
  test(`input with ${what} is refused with ${code}`, () => {
    const input = base();
    spoil(input);

    assert.throws(
      () => planLaunches(input),
      (error) => isWhiskpoolError(error) && error.code === code && message.test(error.message),
    );
  });
}
