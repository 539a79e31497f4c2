import { isWhiskpoolError } from '../errors.ts';
import { requireNode, transitionNode } from '../node/repository.ts';
import { done, type PoolContext, type StepOutcome } from './context.ts';
import { failLaunch } from './fail.ts';
import { LaunchResult, reportLaunch } from './stats.ts';
import { imageFor, targetOf } from './topology.ts';

/**
 * Makes a booted node ready and adds it to its target's Jenkins as a one-executor agent.
 * The node is ready in the database before Jenkins knows it, so a build can never start on
 * an agent whose node whiskpool does not consider ready (Nodepool kept the same order).
 */
export async function registerNode(ctx: PoolContext, nodeId: number): Promise<StepOutcome> {
  let node = await requireNode(ctx.db, nodeId);

  const madeReady = node.state === 'booted';
  if (node.state === 'booted') {
    const ready = await transitionNode(ctx.db, node, 'ready', {
      reason: 'registered',
      now: ctx.now(),
    });
    if (!ready) return done({ node: node.id, outcome: 'raced' });
    node = ready;
  } else if (node.state !== 'ready') {
    return done({ node: node.id, outcome: 'skipped', state: node.state });
  }

  const jenkins = ctx.jenkins(node.target);
  if (!jenkins || !node.nodeName) {
    if (madeReady) reportLaunch(ctx, node, LaunchResult.Ready);
    return done({ node: node.id, outcome: 'ready' });
  }

  const target = targetOf(ctx.config, node.target);
  const image = imageFor(ctx.config, node.label, node.provider);
  try {
    const created = await jenkins.createNode({
      name: node.nodeName,
      description: `Dynamic single use ${node.label} node`,
      labels: [node.label],
      remoteFs: image.userHome,
      host: node.ip ?? '',
      port: node.sshPort ?? 22,
      credentialsId: target.jenkins?.credentialsId ?? undefined,
      username: image.username,
    });
    ctx.log.info(
      { node: node.id, label: node.label, target: node.target, agent: node.nodeName },
      'node ready in Jenkins',
    );
    // Counted once Jenkins has the agent, as Nodepool counted it; a replay finds it there.
    if (created === 'created') reportLaunch(ctx, node, LaunchResult.Ready);
    return done({ node: node.id, outcome: 'ready', jenkins: created });
  } catch (error) {
    if (isWhiskpoolError(error) && !error.retryable) {
      const reason = `Jenkins refused the agent: ${error.message}`;
      return failLaunch(ctx, node, LaunchResult.Unknown, reason);
    }
    throw error;
  }
}
