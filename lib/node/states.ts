/**
 * The life of a node. A machine is used for at most one build: nothing leads back from in-use,
 * used, deleting or deleted to ready, and the database enforces every step as a
 * compare-and-set on the row's state.
 *
 *   requested -> building -> booted -> ready -> in-use -> used -> deleting -> deleted
 *   booted -> building (a launch retry, with a new server)
 *   any live state -> failed -> deleting        ready / in-use / used -> hold -> deleting
 */
export const NodeState = {
  Requested: 'requested',
  Building: 'building',
  Booted: 'booted',
  Ready: 'ready',
  InUse: 'in-use',
  Used: 'used',
  Hold: 'hold',
  Failed: 'failed',
  Deleting: 'deleting',
  Deleted: 'deleted',
} as const;

export type NodeState = (typeof NodeState)[keyof typeof NodeState];

export const NODE_STATES: readonly NodeState[] = Object.values(NodeState);

const LEGAL: Record<NodeState, readonly NodeState[]> = {
  requested: ['building', 'failed', 'deleting'],
  building: ['booted', 'failed', 'deleting'],
  // Back to building: a launch retry replaces a server that never became usable.
  booted: ['ready', 'building', 'failed', 'deleting'],
  // A build can end before its start event reaches us (events are lost or reordered), so a
  // ready node may go straight to used.
  ready: ['in-use', 'used', 'hold', 'failed', 'deleting'],
  'in-use': ['used', 'hold', 'failed', 'deleting'],
  used: ['hold', 'deleting', 'failed'],
  hold: ['deleting'],
  failed: ['deleting'],
  deleting: ['deleted'],
  deleted: [],
};

export function isLegalTransition(from: NodeState | null, to: NodeState): boolean {
  if (from === null) return to === 'requested';
  return LEGAL[from].includes(to);
}

export function isNodeState(value: unknown): value is NodeState {
  return typeof value === 'string' && (NODE_STATES as readonly string[]).includes(value);
}

/** States of a node that still exists somewhere: in the cloud, in Jenkins or about to be. */
export const LIVE_STATES: readonly NodeState[] = NODE_STATES.filter((s) => s !== 'deleted');

/** States in which a machine has never run a build and may still be given one. */
export const UNUSED_STATES: readonly NodeState[] = ['requested', 'building', 'booted', 'ready'];
