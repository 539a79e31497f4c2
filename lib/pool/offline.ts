import type { BuildMessage } from '../events/messages.ts';
import { findLiveNodeByName, transitionNode } from '../node/repository.ts';
import { done, type PoolContext, type StepOutcome } from './context.ts';

const OFFLINE_MESSAGE = 'whiskpool: single-use machine, its build has started';

/**
 * A build started (or completed) on a node: the node is in use and must never take another
 * build. Jenkins' Gearman plugin keeps such a node to one build when the build says
 * OFFLINE_NODE_WHEN_COMPLETE; for any other build the agent is taken offline here.
 *
 * Jenkins can only toggle an agent's offline flag. Toggling an agent the plugin is taking
 * offline at that very moment would put it back online between two builds, so whiskpool
 * leaves the agents of flagged builds, and of finished builds, to the plugin.
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

  if (node.state !== 'in-use' && node.state !== 'hold') {
    return done({ node: node.id, outcome: 'skipped', state: node.state });
  }

  const jenkins = ctx.jenkins(node.target);
  const byPlugin = build.offlineWhenComplete === true || build.phase !== 'started';
  const offline =
    !jenkins ? 'no-jenkins'
    : byPlugin ? 'left-to-gearman-plugin'
    : await jenkins.setOffline(build.nodeName, OFFLINE_MESSAGE);
  ctx.log.info(
    { node: node.id, label: node.label, build: `${build.job}#${build.number}`, offline },
    'node in use',
  );
  return done({ node: node.id, outcome: node.state, offline });
}
