import { test } from 'node:test';
import assert from 'node:assert/strict';

import { planLaunches } from '../../../lib/allocation/index.ts';
import type {
  AllocationHistory,
  LabelSpec,
  NodeCount,
  PlanInput,
  PlanResult,
  PoolNodeState,
  ProviderSpec,
} from '../../../lib/allocation/types.ts';
import { seededRandom, totalBy } from './fixtures.ts';

const STATES: PoolNodeState[] = [
  'requested',
  'building',
  'booted',
  'ready',
  'in-use',
  'used',
  'deleting',
  'failed',
  'hold',
  'deleted',
];

const CASES = 300;
const ROUNDS_PER_CASE = 3;

type Random = () => number;

const intBelow = (random: Random, n: number) => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[intBelow(random, items.length)]!;
const chance = (random: Random, p: number) => random() < p;

function randomInput(random: Random, history: AllocationHistory): PlanInput {
  const labelNames = Array.from({ length: 1 + intBelow(random, 6) }, (_, i) => `label${i}`);
  const providerNames = Array.from({ length: 1 + intBelow(random, 4) }, (_, i) => `cloud${i}`);
  const targetNames = Array.from({ length: 1 + intBelow(random, 3) }, (_, i) => `jenkins${i}`);

  const providers: ProviderSpec[] = providerNames.map((name) => ({
    name,
    maxServers: intBelow(random, 21),
    labelsWithImage: labelNames.filter(() => chance(random, 0.75)),
  }));

  const labels: LabelSpec[] = labelNames.map((name) => ({
    name,
    minReady: pick(random, [-1, 0, 0, 1, 2, 5]),
    subnodes: pick(random, [0, 0, 0, 1, 2]),
    providers: providerNames.filter(() => chance(random, 0.6)),
  }));

  const nodes: NodeCount[] = Array.from({ length: intBelow(random, 11) }, () => ({
    label: chance(random, 0.9) ? pick(random, labelNames) : 'retired-label',
    provider: pick(random, providerNames),
    target: pick(random, targetNames),
    state: pick(random, STATES),
    count: intBelow(random, 6),
    ...(chance(random, 0.3) ? { subnodes: intBelow(random, 4) } : {}),
  }));

  const demand = new Map<string, number>();
  for (const name of labelNames) {
    if (chance(random, 0.8)) demand.set(name, intBelow(random, 31));
  }

  return {
    labels,
    providers,
    targets: targetNames.map((name) => ({ name, online: chance(random, 0.8) })),
    demand,
    nodes,
    history,
  };
}

function checkInvariants(input: PlanInput, result: PlanResult, where: string): void {
  const labels = new Map(input.labels.map((l) => [l.name, l]));
  const providers = new Map(input.providers.map((p) => [p.name, p]));
  const online = new Set(input.targets.filter((t) => t.online).map((t) => t.name));

  const slotsUsed = new Map<string, number>();
  for (const launch of result.launches) {
    const spec = labels.get(launch.label);
    assert.ok(spec, `${where}: launch of unknown label ${launch.label}`);
    assert.ok(Number.isInteger(launch.count) && launch.count > 0, `${where}: count`);
    assert.ok(online.has(launch.target), `${where}: launch to offline target ${launch.target}`);
    assert.ok(spec.providers.includes(launch.provider), `${where}: provider not of label`);
    assert.ok(
      providers.get(launch.provider)?.labelsWithImage.includes(launch.label),
      `${where}: ${launch.provider} has no image for ${launch.label}`,
    );

    const slots = launch.count * (1 + spec.subnodes);
    slotsUsed.set(launch.provider, (slotsUsed.get(launch.provider) ?? 0) + slots);
  }

  for (const capacity of result.providers) {
    const used = slotsUsed.get(capacity.provider) ?? 0;
    assert.ok(
      used <= capacity.available,
      `${where}: ${capacity.provider} granted ${used} slots with ${capacity.available} free`,
    );
  }

  const perLabel = totalBy(result.launches, 'label');
  const round = result.history.rounds[0] ?? {};
  for (const need of result.needed) {
    const granted = perLabel.get(need.label) ?? 0;
    assert.ok(granted <= need.demand, `${where}: ${need.label} got ${granted} of ${need.demand}`);
    assert.equal(round[need.label]?.granted ?? 0, granted, `${where}: history of ${need.label}`);
  }
}

test('random rounds never grant beyond a provider free slots or a label need', () => {
  const random = seededRandom(20150509);
  let launched = 0;

  for (let c = 0; c < CASES; c += 1) {
    let history: AllocationHistory = { rounds: [] };

    for (let r = 0; r < ROUNDS_PER_CASE; r += 1) {
      const input = randomInput(random, history);
      const result = planLaunches(input);

      checkInvariants(input, result, `case ${c} round ${r}`);
      history = result.history;
      launched += result.launches.length;
    }
  }

  // Guards against a generator that never lets anything launch, which would prove nothing.
  assert.ok(launched > CASES, `only ${launched} launches over ${CASES} cases`);
});
