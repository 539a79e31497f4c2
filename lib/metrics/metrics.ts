import type { LaunchFacts, JobFacts, LaunchResult } from './names.ts';
import type { GaugeScope, NodeGroup } from './node-gauges.ts';

/**
 * What the pool reports about itself. Steps call it through their PoolContext; whether the
 * numbers go to statsd or nowhere is the process's choice. Every method returns at once and
 * never throws: a metrics outage must not fail a step.
 */
export interface PoolMetrics {
  /** A launch ended, `ms` after the node was requested. */
  launch(facts: LaunchFacts, result: LaunchResult, ms: number): void;
  /** A node's server is confirmed gone, `ms` after its deletion began. */
  deleted(facts: { image: string; provider: string; target: string }, ms: number): void;
  /** A build finished with SUCCESS, having run for `ms`. */
  jobSucceeded(facts: JobFacts, ms: number): void;
  /** The node count gauges, from a fresh count of every node. */
  nodeCounts(scope: GaugeScope, groups: readonly NodeGroup[]): void;
  /** One cloud or Jenkins API call; `manager` is the provider's or the target's name. */
  apiCall(manager: string, task: string, ms: number): void;
  close(): Promise<void>;
}

/** Metrics that go nowhere: statsd is not configured. */
export const noMetrics: PoolMetrics = {
  launch() {},
  deleted() {},
  jobSucceeded() {},
  nodeCounts() {},
  apiCall() {},
  async close() {},
};
