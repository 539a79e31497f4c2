import type { Node } from '../node/node.ts';
import { transitionNode } from '../node/repository.ts';
import { done, type PoolContext, type StepOutcome } from './context.ts';
import { followUp } from './follow-ups.ts';
import { reportLaunch, type LaunchResult } from './stats.ts';

/**
 * Marks a node failed and asks for its deletion. A node that moved on meanwhile is left to
 * whoever moved it.
 */
export async function failNode(
  ctx: PoolContext,
  node: Node,
  reason: string,
  summary: Record<string, unknown> = {},
): Promise<StepOutcome> {
  const failed = await transitionNode(ctx.db, node, 'failed', {
    reason,
    changes: { error: reason },
    now: ctx.now(),
  });
  if (!failed) return done({ ...summary, node: node.id, outcome: 'raced' });

  ctx.log.warn({ node: node.id, label: node.label, provider: node.provider, reason }, 'node failed');
  return done({ ...summary, node: node.id, outcome: 'failed', reason }, [
    followUp.delete(node.id, 'failed'),
  ]);
}

/** A launch went wrong: the node fails, and the launch is counted under Nodepool's cause. */
export async function failLaunch(
  ctx: PoolContext,
  node: Node,
  result: LaunchResult,
  reason: string,
): Promise<StepOutcome> {
  const outcome = await failNode(ctx, node, reason);
  if (outcome.summary.outcome === 'failed') reportLaunch(ctx, node, result);
  return outcome;
}
