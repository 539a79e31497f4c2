/**
 * Launch planning: from demand per label, configuration and the nodes that exist, which
 * nodes to boot this round. Pure functions over plain values; no I/O, no clock, no chance.
 */
export { planLaunches } from './plan.ts';
export { allocate } from './allocator.ts';
export { labelNeeds, nodepoolStateOf, nodesPerTarget, providerCapacities } from './needed.ts';
export type { NodepoolState } from './needed.ts';
export {
  HISTORY_ROUNDS,
  appendRound,
  emptyHistory,
  parseAllocationHistory,
  waitTime,
} from './history.ts';
export type * from './types.ts';
