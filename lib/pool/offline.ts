import type { BuildMessage } from '../events/messages.ts';
import { findLiveNodeByName, transitionNode } from '../node/repository.ts';
import { done, type PoolContext, type StepOutcome } from './context.ts';

const OFFLINE_MESSAGE = 'whiskpool: single-use machine, its build has started';

/**
 * A build started (or completed) on a node: the node is in use and must never take another
 * build. Jenkins' Gearman plugin already keeps such a node to one build when the build says
 * OFFLINE_NODE_WHEN_COMPLETE; taking the agent offline here makes that true for every build.
 */
export async function offlineNode(ctx: PoolContext, build: BuildMessage): Promise<StepOutcome> {
  let node = await findLiveNodeByName(ctx.db, build.nodeName);
  if (!node) return done({ agent: build.nodeName, outcome: 'unknown-node' });

  if (node.state === 'ready') {
    const inUse = await transitionNode(ctx.db, node, 'in-use', {
      reason: `build ${build.job} #${build.number} ${build.phase}`,
      changes: { build: `${build.job}#${build.number}` },
      now: ctx.now(),
    });
    // Losing this race means another event moved the node on, which is just as final.
    if (inUse) node = inUse;
  }

  if (node.state === 'deleting' || node.state === 'failed') {
    return done({ node: node.id, outcome: 'skipped', state: node.state });
  }

  const jenkins = ctx.jenkins(node.target);
  const offline = jenkins ? await jenkins.setOffline(build.nodeName, OFFLINE_MESSAGE) : 'no-jenkins';
  ctx.log.info(
    { node: node.id, label: node.label, build: `${build.job}#${build.number}`, offline },
    'node in use',
  );
  return done({ node: node.id, outcome: node.state, offline });
}
