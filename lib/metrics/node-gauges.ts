import { nodepoolStateOf } from '../allocation/needed.ts';
import type { PoolNodeState } from '../allocation/types.ts';
import { maxServersKey, metricPart } from './names.ts';

/**
 * Nodepool's node states, the ones its gauges are named after. whiskpool's finer states are
 * folded into them as the allocator folds them: requested, building and booted are
 * `building`; in-use and used are `used` (Nodepool marked a node used when its build
 * started); deleting and failed are `delete`; a deleted node holds nothing and is not counted.
 * whiskpool has no acceptance-test state, so `test` is always zero, and sent for dashboards
 * that expect it.
 */
export const NODEPOOL_STATES = ['building', 'ready', 'used', 'delete', 'hold', 'test'] as const;

export interface NodeGroup {
  provider: string;
  label: string;
  target: string;
  state: PoolNodeState;
  count: number;
}

export interface GaugeScope {
  providers: readonly { name: string; maxServers: number }[];
  labels: readonly { name: string }[];
  targets: readonly { name: string }[];
}

/**
 * Every node gauge with its value: `nodepool.nodes.<state>` and the same per provider, label
 * and target, zero-filled for each configured name and each state (as Nodepool sent them,
 * so a state that empties drops to zero instead of keeping its last value), and each
 * provider's max_servers.
 */
export function nodeGauges(scope: GaugeScope, groups: readonly NodeGroup[]): Map<string, number> {
  const gauges = new Map<string, number>();
  const scopes = [
    ['provider', scope.providers.map((p) => p.name)],
    ['label', scope.labels.map((l) => l.name)],
    ['target', scope.targets.map((t) => t.name)],
  ] as const;

  for (const state of NODEPOOL_STATES) {
    gauges.set(`nodepool.nodes.${state}`, 0);
    for (const [kind, names] of scopes) {
      for (const name of names) gauges.set(scopedKey(kind, name, state), 0);
    }
  }

  for (const group of groups) {
    const state = nodepoolStateOf(group.state);
    if (state === 'gone') continue;
    add(gauges, `nodepool.nodes.${state}`, group.count);
    // Nodes of a provider, label or target no longer configured count in the total only,
    // so that a removed name does not come back as a gauge nobody resets.
    for (const [kind, names] of scopes) {
      const name = group[kind];
      if (names.includes(name)) {
        add(gauges, scopedKey(kind, name, state), group.count);
      }
    }
  }

  for (const provider of scope.providers) {
    gauges.set(maxServersKey(provider.name), provider.maxServers);
  }
  return gauges;
}

function scopedKey(kind: string, name: string, state: string) {
  return `nodepool.${kind}.${metricPart(name)}.nodes.${state}`;
}

function add(gauges: Map<string, number>, key: string, count: number) {
  gauges.set(key, (gauges.get(key) ?? 0) + count);
}
