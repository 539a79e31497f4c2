/**
 * How many new nodes each label needs this round, and how much room each provider has,
 * by Nodepool's rules: demand seen in Gearman, minus nodes that will serve it, plus the
 * min-ready margin only when all of it fits in the label's providers.
 */
import type {
  LabelNeed,
  LabelSpec,
  NodeCount,
  PlanInput,
  PoolNodeState,
  ProviderCapacity,
  ProviderSpec,
} from './types.ts';

/** Nodepool's state names for whiskpool's states; a deleted node holds no server. */
const NODEPOOL_STATE = {
  requested: 'building',
  building: 'building',
  booted: 'building',
  ready: 'ready',
  'in-use': 'used',
  used: 'used',
  deleting: 'delete',
  failed: 'delete',
  hold: 'hold',
  deleted: 'gone',
} as const satisfies Record<PoolNodeState, string>;

export type NodepoolState = (typeof NODEPOOL_STATE)[PoolNodeState];

export function nodepoolStateOf(state: PoolNodeState): NodepoolState {
  return NODEPOOL_STATE[state];
}

/**
 * Free slots per provider: max-servers minus every server it holds, in any state, subnodes
 * included, since deleting and held servers still use the cloud's quota.
 */
export function providerCapacities(
  providers: readonly ProviderSpec[],
  labels: readonly LabelSpec[],
  nodes: readonly NodeCount[],
): ProviderCapacity[] {
  const subnodesPerNode = new Map(labels.map((l) => [l.name, l.subnodes]));

  return providers.map((provider) => {
    let servers = 0;
    for (const group of nodes) {
      if (group.provider !== provider.name || nodepoolStateOf(group.state) === 'gone') continue;
      const subnodes = group.subnodes ?? group.count * (subnodesPerNode.get(group.label) ?? 0);
      servers += group.count + subnodes;
    }

    return {
      provider: provider.name,
      maxServers: provider.maxServers,
      servers,
      available: Math.max(0, provider.maxServers - servers),
      overAllocated: servers > provider.maxServers,
    };
  });
}

/** Each label's need, in the order the labels are given. */
export function labelNeeds(
  input: Pick<PlanInput, 'labels' | 'targets' | 'demand' | 'nodes'>,
  capacities: readonly ProviderCapacity[],
): LabelNeed[] {
  const online = new Set(input.targets.filter((t) => t.online).map((t) => t.name));
  const available = new Map(capacities.map((c) => [c.provider, c.available]));

  return input.labels.map((label) => {
    const start = demandFor(input.demand, label.name);
    const { ready, building, used } = supplyOf(label.name, input.nodes, online);
    const supply = ready + building + used;

    let capacity = 0;
    for (const provider of label.providers) capacity += available.get(provider) ?? 0;

    // Clamped separately: max(0, a - b) + c is not max(0, a + c - b).
    const actual = Math.max(0, start - supply);
    const extra = Math.max(0, start + label.minReady - supply);

    // min-ready is a luxury: when it does not fit, booting idle nodes would take slots from
    // builds that are waiting now.
    const disabled = label.minReady < 0;
    const minReadyHonoured = !disabled && extra <= capacity;
    const demand = disabled ? 0 : minReadyHonoured ? extra : actual;

    return {
      label: label.name,
      start,
      minReady: label.minReady,
      ready,
      building,
      used,
      supply,
      actual,
      extra,
      capacity,
      demand,
      minReadyHonoured,
    };
  });
}

/** Nodes of the label on each online target, in any state, for spreading new ones evenly. */
export function nodesPerTarget(
  label: string,
  nodes: readonly NodeCount[],
  onlineTargets: readonly string[],
): Record<string, number> {
  const current = new Map(onlineTargets.map((t) => [t, 0]));

  for (const group of nodes) {
    if (group.label !== label || nodepoolStateOf(group.state) === 'gone') continue;

    const has = current.get(group.target);
    if (has !== undefined) current.set(group.target, has + group.count);
  }

  return Object.fromEntries(current);
}

export function demandFor(demand: PlanInput['demand'], label: string): number {
  if (demand instanceof Map) return demand.get(label) ?? 0;

  const record = demand as Readonly<Record<string, number>>;
  return Object.hasOwn(record, label) ? (record[label] ?? 0) : 0;
}

/**
 * Nodes that will serve the label's demand. Used nodes count because the demand includes
 * running builds, which hold them; nodes of offline targets do not, as nothing reaches them.
 */
function supplyOf(
  label: string,
  nodes: readonly NodeCount[],
  online: ReadonlySet<string>,
): { ready: number; building: number; used: number } {
  const supply = { ready: 0, building: 0, used: 0 };

  for (const group of nodes) {
    if (group.label !== label || !online.has(group.target)) continue;

    const state = nodepoolStateOf(group.state);
    if (state === 'ready' || state === 'building' || state === 'used') {
      supply[state] += group.count;
    }
  }

  return supply;
}
