import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  demandFor,
  labelNeeds,
  nodesPerTarget,
  providerCapacities,
} from '../../../lib/allocation/needed.ts';
import type {
  LabelNeed,
  LabelSpec,
  NodeCount,
  PoolNodeState,
  ProviderCapacity,
  ProviderSpec,
  TargetSpec,
} from '../../../lib/allocation/types.ts';
import { label, nodes, provider } from './fixtures.ts';

const ONLINE: TargetSpec[] = [{ name: 'jenkins1', online: true }];

interface NeedCase {
  name: string;
  label: LabelSpec;
  providers?: ProviderSpec[];
  targets?: TargetSpec[];
  demand: number;
  nodes?: NodeCount[];
  expected: Partial<LabelNeed>;
}

const trusty = (options: { minReady?: number } = {}) => label('trusty', ['eqiad'], options);
const eqiad = (maxServers: number) => provider('eqiad', maxServers, ['trusty']);
const onEqiad = { label: 'trusty', provider: 'eqiad' };

const needCases: NeedCase[] = [
  {
    name: 'demand with no nodes and no min-ready is asked for in full',
    label: trusty(),
    demand: 3,
    expected: { start: 3, supply: 0, actual: 3, extra: 3, capacity: 10, demand: 3 },
  },
  {
    name: 'ready, starting and used nodes in an online target count as supply',
    label: trusty(),
    demand: 7,
    nodes: (['ready', 'requested', 'building', 'booted', 'in-use', 'used'] as const).map((s) =>
      nodes(1, s, onEqiad),
    ),
    expected: { ready: 1, building: 3, used: 2, supply: 6, actual: 1, demand: 1, capacity: 4 },
  },
  {
    name: 'held, deleting and failed nodes are not supply but still take slots',
    label: trusty(),
    demand: 3,
    nodes: (['hold', 'deleting', 'failed'] as const).map((s) => nodes(1, s, onEqiad)),
    expected: { supply: 0, actual: 3, capacity: 7, demand: 3 },
  },
  {
    name: 'supply beyond demand asks for nothing',
    label: trusty({ minReady: 1 }),
    demand: 1,
    nodes: [nodes(3, 'ready', onEqiad)],
    expected: { supply: 3, actual: 0, extra: 0, demand: 0 },
  },
  {
    name: 'min-ready is added to demand when all of it fits the capacity',
    label: trusty({ minReady: 4 }),
    demand: 2,
    expected: { actual: 2, extra: 6, capacity: 10, demand: 6, minReadyHonoured: true },
  },
  {
    name: 'min-ready that exactly fills the capacity is honoured',
    label: trusty({ minReady: 3 }),
    providers: [eqiad(5)],
    demand: 2,
    expected: { extra: 5, capacity: 5, demand: 5, minReadyHonoured: true },
  },
  {
    name: 'min-ready that does not fit is dropped and only real demand is asked for',
    label: trusty({ minReady: 4 }),
    providers: [eqiad(5)],
    demand: 2,
    expected: { actual: 2, extra: 6, capacity: 5, demand: 2, minReadyHonoured: false },
  },
  {
    name: 'min-ready with no demand keeps idle nodes ready',
    label: trusty({ minReady: 2 }),
    demand: 0,
    nodes: [nodes(1, 'ready', onEqiad)],
    expected: { actual: 0, extra: 1, demand: 1, minReadyHonoured: true },
  },
  {
    name: 'a disabled label (min-ready -1) asks for nothing whatever its demand',
    label: trusty({ minReady: -1 }),
    demand: 5,
    expected: { actual: 5, demand: 0, minReadyHonoured: false },
  },
  {
    name: 'nodes on an offline target are not supply but take their provider slots',
    label: trusty(),
    targets: [...ONLINE, { name: 'jenkins2', online: false }],
    demand: 3,
    nodes: [nodes(3, 'ready', { ...onEqiad, target: 'jenkins2' })],
    expected: { supply: 0, actual: 3, capacity: 7, demand: 3 },
  },
  {
    name: 'nodes of other labels are not supply',
    label: trusty(),
    providers: [provider('eqiad', 10, ['trusty', 'jessie'])],
    demand: 2,
    nodes: [nodes(4, 'ready', { label: 'jessie', provider: 'eqiad' })],
    expected: { supply: 0, demand: 2, capacity: 6 },
  },
  {
    name: 'capacity sums the free slots of all the label providers, with or without image',
    label: label('trusty', ['eqiad', 'codfw'], { minReady: 9 }),
    providers: [eqiad(6), provider('codfw', 4, [])],
    demand: 1,
    expected: { capacity: 10, extra: 10, demand: 10 },
  },
];

for (const c of needCases) {
  test(c.name, () => {
    const providers = c.providers ?? [eqiad(10)];
    const input = {
      labels: [c.label],
      targets: c.targets ?? ONLINE,
      demand: new Map([[c.label.name, c.demand]]),
      nodes: c.nodes ?? [],
    };

    const [need] = labelNeeds(input, providerCapacities(providers, input.labels, input.nodes));

    assert.ok(need);
    for (const [key, value] of Object.entries(c.expected)) {
      assert.equal(need[key as keyof LabelNeed], value, key);
    }
  });
}

interface CapacityCase {
  name: string;
  maxServers: number;
  labels?: LabelSpec[];
  nodes: NodeCount[];
  expected: Pick<ProviderCapacity, 'servers' | 'available' | 'overAllocated'>;
}

const ALL_BUT_DELETED: PoolNodeState[] = [
  'requested',
  'building',
  'booted',
  'ready',
  'in-use',
  'used',
  'deleting',
  'failed',
  'hold',
];

const capacityCases: CapacityCase[] = [
  {
    name: 'a provider with no nodes has max-servers free',
    maxServers: 10,
    nodes: [],
    expected: { servers: 0, available: 10, overAllocated: false },
  },
  {
    name: 'a node in any state but deleted takes a slot',
    maxServers: 10,
    nodes: [...ALL_BUT_DELETED.map((s) => nodes(1, s, onEqiad)), nodes(5, 'deleted', onEqiad)],
    expected: { servers: 9, available: 1, overAllocated: false },
  },
  {
    name: 'each subnode of a label takes a slot next to its node',
    maxServers: 10,
    labels: [label('trusty', ['eqiad'], { subnodes: 2 })],
    nodes: [nodes(2, 'ready', onEqiad)],
    expected: { servers: 6, available: 4, overAllocated: false },
  },
  {
    name: 'a given subnode count replaces the label setting while subnodes are still booting',
    maxServers: 10,
    labels: [label('trusty', ['eqiad'], { subnodes: 2 })],
    nodes: [nodes(2, 'building', { ...onEqiad, subnodes: 1 })],
    expected: { servers: 3, available: 7, overAllocated: false },
  },
  {
    name: 'nodes of a label no longer configured still take slots',
    maxServers: 10,
    nodes: [nodes(2, 'used', { label: 'precise', provider: 'eqiad' })],
    expected: { servers: 2, available: 8, overAllocated: false },
  },
  {
    name: 'nodes on other providers take no slot here',
    maxServers: 10,
    nodes: [nodes(4, 'ready', { label: 'trusty', provider: 'codfw' })],
    expected: { servers: 0, available: 10, overAllocated: false },
  },
  {
    name: 'a provider holding more than max-servers has none free and is flagged',
    maxServers: 2,
    nodes: [nodes(5, 'ready', onEqiad)],
    expected: { servers: 5, available: 0, overAllocated: true },
  },
];

for (const c of capacityCases) {
  test(c.name, () => {
    const [capacity] = providerCapacities(
      [eqiad(c.maxServers)],
      c.labels ?? [trusty()],
      c.nodes,
    );

    assert.deepEqual(capacity, { provider: 'eqiad', maxServers: c.maxServers, ...c.expected });
  });
}

test('nodes per target count the label in every state on online targets only', () => {
  const counted = nodesPerTarget(
    'trusty',
    [
      nodes(2, 'ready', onEqiad),
      nodes(1, 'hold', { ...onEqiad, provider: 'codfw' }),
      nodes(3, 'deleted', onEqiad),
      nodes(4, 'ready', { ...onEqiad, target: 'jenkins-offline' }),
      nodes(5, 'ready', { label: 'jessie', provider: 'eqiad' }),
    ],
    ['jenkins1', 'jenkins2'],
  );

  assert.deepEqual(counted, { jenkins1: 3, jenkins2: 0 });
});

test('demand is read from a Map or a plain record, and a missing label wants nothing', () => {
  assert.equal(demandFor(new Map([['trusty', 4]]), 'trusty'), 4);
  assert.equal(demandFor({ trusty: 4 }, 'trusty'), 4);
  assert.equal(demandFor({ trusty: 4 }, 'jessie'), 0);
  assert.equal(demandFor({}, 'constructor'), 0);
});
