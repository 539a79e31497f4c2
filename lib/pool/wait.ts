import { touchNode } from '../node/repository.ts';
import { later, type PoolContext, type StepOutcome } from './context.ts';

/**
 * The node is waiting on something outside (a boot, a delete, a pause): run this step again
 * for it after `ms`, and note that its chain of steps is alive, so the sweep leaves it be.
 */
export async function waitOn(
  ctx: PoolContext,
  nodeId: number,
  ms: number,
  summary: Record<string, unknown>,
): Promise<StepOutcome> {
  await touchNode(ctx.db, nodeId, ctx.now());
  return later(ms, { node: nodeId, ...summary });
}
