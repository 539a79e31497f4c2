import { emptyHistory } from '../../../lib/allocation/history.ts';
import type {
  LabelSpec,
  Launch,
  NodeCount,
  PlanInput,
  PoolNodeState,
  ProviderSpec,
} from '../../../lib/allocation/types.ts';

export function label(
  name: string,
  providers: string[],
  options: { minReady?: number; subnodes?: number } = {},
): LabelSpec {
  return { name, providers, minReady: options.minReady ?? 0, subnodes: options.subnodes ?? 0 };
}

export function provider(
  name: string,
  maxServers: number,
  labelsWithImage: string[],
): ProviderSpec {
  return { name, maxServers, labelsWithImage };
}

export function nodes(
  count: number,
  state: PoolNodeState,
  where: { label: string; provider: string; target?: string; subnodes?: number },
): NodeCount {
  return { count, state, target: 'jenkins1', ...where };
}

/** A plan input with one online target `jenkins1` unless targets are given. */
export function planInput(parts: Partial<PlanInput> & Pick<PlanInput, 'labels'>): PlanInput {
  return {
    providers: [],
    targets: [{ name: 'jenkins1', online: true }],
    demand: new Map(),
    nodes: [],
    history: emptyHistory(),
    ...parts,
  };
}

/** Launches as `label@provider>target=count`, in the order they were planned. */
export function describeLaunches(launches: readonly Launch[]): string[] {
  return launches.map((l) => `${l.label}@${l.provider}>${l.target}=${l.count}`);
}

/** Total nodes planned per key (label, provider or target). */
export function totalBy(launches: readonly Launch[], key: 'label' | 'provider' | 'target') {
  const totals = new Map<string, number>();
  for (const launch of launches) {
    totals.set(launch[key], (totals.get(launch[key]) ?? 0) + launch.count);
  }
  return totals;
}

/** Deterministic pseudo-random numbers in [0, 1) from a 32-bit seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
