/**
 * Plain, JSON-friendly values that go into and come out of the launch planner. Nothing here
 * holds behaviour, so an action can read them from the database or an event and hand them on.
 */

/** A label as configured: how many idle nodes to keep and which providers may boot it. */
export interface LabelSpec {
  name: string;
  /** Idle nodes to keep beyond demand; -1 disables the label (it gets no new nodes). */
  minReady: number;
  /** Extra servers of the same image booted next to each node of this label. */
  subnodes: number;
  /** Provider names in configuration order. */
  providers: string[];
}

/** A provider as configured, with the labels whose image it currently has ready. */
export interface ProviderSpec {
  name: string;
  maxServers: number;
  /** Labels for which a ready image exists on this provider; others get nothing from it. */
  labelsWithImage: string[];
}

/** A Jenkins master; an offline one (quieting down) gets no new nodes. */
export interface TargetSpec {
  name: string;
  online: boolean;
}

/** Node states as whiskpool stores them. */
export type PoolNodeState =
  | 'requested'
  | 'building'
  | 'booted'
  | 'ready'
  | 'in-use'
  | 'used'
  | 'deleting'
  | 'failed'
  | 'hold'
  | 'deleted';

/** How many existing nodes share one (label, provider, target, state). */
export interface NodeCount {
  label: string;
  provider: string;
  target: string;
  state: PoolNodeState;
  count: number;
  /**
   * Subnode servers held by these nodes, all together. When absent, each node is taken to
   * hold its label's configured subnodes (zero for a label no longer configured).
   */
  subnodes?: number;
}

/** What one label asked for and got in one planning round. */
export interface LabelRound {
  requested: number;
  granted: number;
}

/** One planning round, by label; only labels that asked for nodes appear. */
export type AllocationRound = Record<string, LabelRound>;

/**
 * Recent planning rounds, newest first. The planner is stateless, so the caller stores this
 * value and passes it back on the next round.
 */
export interface AllocationHistory {
  rounds: AllocationRound[];
}

/** Everything one planning round needs. */
export interface PlanInput {
  labels: LabelSpec[];
  providers: ProviderSpec[];
  targets: TargetSpec[];
  /** Builds waiting (and running, if the caller counts them) per label, from Gearman. */
  demand: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  nodes: NodeCount[];
  history: AllocationHistory;
}

/** Boot `count` nodes of `label` on `provider` and register them with `target`. */
export interface Launch {
  label: string;
  provider: string;
  target: string;
  count: number;
}

/** A provider's free slots as the allocator sees them. */
export interface ProviderSlots {
  name: string;
  available: number;
}

/** One label's request to the allocator. */
export interface AllocationRequest {
  label: string;
  /** Whole nodes wanted. */
  amount: number;
  subnodes: number;
  /** Providers with a ready image for the label, in the label's configured order. */
  providers: string[];
  /** Nodes of the label already on each online target, in any state. */
  current: Record<string, number>;
}

/** One round of allocation: who asks, who can give, where the nodes go. */
export interface AllocationInput {
  /** In the order providers make their grants. */
  providers: ProviderSlots[];
  /** Online targets, in configured order. */
  targets: string[];
  requests: AllocationRequest[];
  history: AllocationHistory;
}

export interface AllocationOutcome {
  launches: Launch[];
  history: AllocationHistory;
}

/** Why a label asks for the number of nodes it asks for. */
export interface LabelNeed {
  label: string;
  /** Demand seen in Gearman. */
  start: number;
  minReady: number;
  /** Nodes in online targets: ready; requested + building + booted; in-use + used. */
  ready: number;
  building: number;
  used: number;
  supply: number;
  /** Demand not covered by supply, without and with min-ready. */
  actual: number;
  extra: number;
  /** Free slots over all the label's providers. */
  capacity: number;
  /** What the allocator is asked for: `extra` when it fits `capacity`, else `actual`. */
  demand: number;
  /** True when `demand` includes the min-ready margin. */
  minReadyHonoured: boolean;
}

/** Free slots of a provider before this round's launches. */
export interface ProviderCapacity {
  provider: string;
  maxServers: number;
  /** Servers it holds: nodes in every state plus their subnodes. */
  servers: number;
  available: number;
  /** More servers than max-servers (config lowered, or a race); available is then 0. */
  overAllocated: boolean;
}

/** The outcome of one planning round. */
export interface PlanResult {
  launches: Launch[];
  history: AllocationHistory;
  needed: LabelNeed[];
  providers: ProviderCapacity[];
}
