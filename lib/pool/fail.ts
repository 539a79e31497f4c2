import type { Node } from '../node/node.ts';
import { transitionNode, updateNode } from '../node/repository.ts';
import { done, type PoolContext, type StepOutcome } from './context.ts';
import { followUp } from './follow-ups.ts';
import { LaunchResult, reportLaunch } from './stats.ts';
import { providerOf } from './topology.ts';

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

  const { label, provider } = node;
  ctx.log.warn({ node: node.id, label, provider, reason }, 'node failed');
  return done({ ...summary, node: node.id, outcome: 'failed', reason }, [
    followUp.delete(node.id, 'failed'),
  ]);
}

/**
 * A launch went wrong. While the provider's launch-retries allow, the half-built server is
 * deleted and the node is launched again with a new one; after that the node fails. Each
 * attempt is counted under Nodepool's cause. A missing image is not retried: only an
 * operator can fix that.
 */
export async function failLaunch(
  ctx: PoolContext,
  node: Node,
  result: LaunchResult,
  reason: string,
): Promise<StepOutcome> {
  const retries = providerOf(ctx.config, node.provider).launchRetries;
  if (result !== LaunchResult.NoImage && node.launchAttempts < retries) {
    const outcome = await relaunch(ctx, node, reason);
    if (outcome.summary.outcome === 'relaunched') reportLaunch(ctx, node, result);
    return outcome;
  }

  const outcome = await failNode(ctx, node, reason);
  if (outcome.summary.outcome === 'failed') reportLaunch(ctx, node, result);
  return outcome;
}

async function relaunch(ctx: PoolContext, node: Node, reason: string): Promise<StepOutcome> {
  if (node.externalId) {
    try {
      await ctx.cloud(node.provider).deleteServer(node.externalId);
    } catch (error) {
      // The server keeps its metadata: the sweep finds and deletes it if this did not.
      ctx.log.warn({ node: node.id, server: node.externalId, err: String(error) }, 'delete failed');
    }
  }

  const changes = {
    externalId: null,
    ip: null,
    sshPort: null,
    launchAttempts: node.launchAttempts + 1,
    error: reason,
  };
  const moved =
    node.state === 'booted'
      ? await transitionNode(ctx.db, node, 'building', { reason, changes, now: ctx.now() })
      : await updateNode(ctx.db, node, changes);
  if (!moved) return done({ node: node.id, outcome: 'raced' });

  const attempt = node.launchAttempts;
  ctx.log.warn(
    { node: node.id, label: node.label, provider: node.provider, attempt, reason },
    'launch failed; trying again',
  );
  return done({ node: node.id, outcome: 'relaunched', reason }, [
    followUp.spawn(node.id, node.launchAttempts + 1),
  ]);
}
