import type { PoolNodeState } from '../allocation/types.ts';
import type { BuildMessage } from '../events/messages.ts';
import { LaunchResult, noMetrics, type PoolMetrics } from '../metrics/index.ts';
import type { Node } from '../node/node.ts';
import type { PoolContext } from './context.ts';

export { LaunchResult };

/** The context's metrics, or none when the host did not give any. */
export function metricsOf(ctx: PoolContext): PoolMetrics {
  return ctx.metrics ?? noMetrics;
}

/** A node's image as its label names it now; the label's own name if it was removed. */
function imageOf(ctx: PoolContext, node: Node): string {
  return ctx.config.labels.find((label) => label.name === node.label)?.image ?? node.label;
}

/** A launch ended; Nodepool timed it from the start of the launch, here the node's request. */
export function reportLaunch(ctx: PoolContext, node: Node, result: LaunchResult) {
  const image = imageOf(ctx, node);
  const facts = { provider: node.provider, az: node.az, image, target: node.target };
  metricsOf(ctx).launch(facts, result, ctx.now() - node.createdAt);
}

/** `node` is the node as it was while deleting: the timer is the time the deletion took. */
export function reportDeleted(ctx: PoolContext, node: Node) {
  const facts = { image: imageOf(ctx, node), provider: node.provider, target: node.target };
  metricsOf(ctx).deleted(facts, ctx.now() - node.stateTime);
}

/**
 * A build finished on `node`, which was in use since the build started. Only successful
 * builds are counted, as in Nodepool: their runtimes are what a job's dashboard shows. A
 * build whose start was never seen has no runtime and is not counted.
 */
export function reportBuild(ctx: PoolContext, node: Node, build: BuildMessage) {
  if (build.status !== 'SUCCESS' || node.state !== 'in-use') return;
  const { job, branch } = build;
  const facts = { job, branch, label: node.label, provider: node.provider };
  metricsOf(ctx).jobSucceeded(facts, ctx.now() - node.stateTime);
}

/**
 * Counts every node by provider, label, target and state and sends the gauges. Runs on
 * each reconcile pass (every demand change, every deletion, and at least every heartbeat).
 */
export async function reportNodeCounts(ctx: PoolContext) {
  const metrics = metricsOf(ctx);
  if (metrics === noMetrics) return;

  const rows = (await ctx.db('nodes')
    .select('provider', 'label', 'target', 'state')
    .count({ count: '*' })
    .whereNot('state', 'deleted')
    .groupBy('provider', 'label', 'target', 'state')) as {
    provider: string;
    label: string;
    target: string;
    state: string;
    count: number | string;
  }[];

  metrics.nodeCounts(
    ctx.config,
    rows.map((row) => ({ ...row, state: row.state as PoolNodeState, count: Number(row.count) })),
  );
}
