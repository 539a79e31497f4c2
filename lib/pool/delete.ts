import type { BuildMessage } from '../events/messages.ts';
import type { Node } from '../node/node.ts';
import { findLiveNodeByName, requireNode, transitionNode } from '../node/repository.ts';
import { done, type PoolContext, type StepOutcome } from './context.ts';
import { followUp } from './follow-ups.ts';
import { waitOn } from './wait.ts';
import { HOLD_RELEASES } from './hold.ts';
import { reportBuild, reportDeleted } from './stats.ts';
import { removeSubnodes } from './subnodes.ts';

/** How soon a deleted server is looked for again until the cloud confirms it gone. */
const DELETE_POLL_MS = 250;

const RELEASES_HOLD: ReadonlySet<string> = new Set(Object.values(HOLD_RELEASES));

/** Tries at marking a node used while other events keep moving it. */
const MARK_USED_ATTEMPTS = 3;

/**
 * A build finished on a node: the node is used and goes. A held node stays until an
 * operator releases it.
 */
export async function finishBuild(ctx: PoolContext, build: BuildMessage): Promise<StepOutcome> {
  let node = await findLiveNodeByName(ctx.db, build.nodeName);

  // A lost compare-and-set here is most often this build's own start (ready -> in-use),
  // delivered at the same moment as its end: the node is read again, since the end still
  // decides that it goes.
  for (let attempt = 1; node && (node.state === 'ready' || node.state === 'in-use'); attempt++) {
    const used = await transitionNode(ctx.db, node, 'used', {
      reason: `build ${build.job} #${build.number} ${build.status ?? 'finished'}`,
      changes: { build: `${build.job}#${build.number}` },
      now: ctx.now(),
    });
    if (used) {
      reportBuild(ctx, node, build);
      node = used;
      break;
    }
    if (attempt === MARK_USED_ATTEMPTS) return done({ node: node.id, outcome: 'raced' });
    node = await findLiveNodeByName(ctx.db, build.nodeName);
  }

  if (!node) return done({ agent: build.nodeName, outcome: 'unknown-node' });
  if (node.state === 'hold') return done({ node: node.id, outcome: 'held' });
  return deleteNode(ctx, node.id, 'used');
}

/**
 * Removes a node from Jenkins and the cloud and confirms the server is gone. Every part is
 * idempotent, so a redelivered or repeated delete picks up where the last one stopped.
 * Only an operator's delete ("operator") or an expired hold ("max-hold-age") releases a
 * held node.
 */
export async function deleteNode(
  ctx: PoolContext,
  nodeId: number,
  reason: string,
): Promise<StepOutcome> {
  let node = await requireNode(ctx.db, nodeId);

  if (node.state === 'deleted') return done({ node: node.id, outcome: 'already-deleted' });
  if (node.state === 'hold' && !RELEASES_HOLD.has(reason)) {
    return done({ node: node.id, outcome: 'held' });
  }

  if (node.state !== 'deleting') {
    const deleting = await transitionNode(ctx.db, node, 'deleting', { reason, now: ctx.now() });
    if (!deleting) return done({ node: node.id, outcome: 'raced' });
    node = deleting;
  }

  // The agent and the servers go at once: the agent is already offline, so no build can
  // land on it in between. Subnodes go with their primary.
  const [, serverGone, subnodesGone] = await Promise.all([
    removeAgent(ctx, node),
    removeServer(ctx, node),
    removeSubnodes(ctx, node),
  ]);
  if (!serverGone || !subnodesGone) return waitOn(ctx, node.id, DELETE_POLL_MS, { outcome: 'server-deleting' });

  const deleted = await transitionNode(ctx.db, node, 'deleted', {
    reason: 'server gone',
    now: ctx.now(),
  });
  if (!deleted) return done({ node: node.id, outcome: 'raced' });
  reportDeleted(ctx, node);

  ctx.log.info({ node: node.id, label: node.label, provider: node.provider }, 'node deleted');
  return done({ node: node.id, outcome: 'deleted' }, [
    followUp.reconcile(`node-${node.id}-deleted`, ctx.now()),
  ]);
}

async function removeAgent(ctx: PoolContext, node: Node) {
  const jenkins = ctx.jenkins(node.target);
  if (!jenkins || !node.nodeName) return;
  await jenkins.deleteNode(node.nodeName);
}

/** Asks the cloud to delete the node's server; true once the server is gone. */
async function removeServer(ctx: PoolContext, node: Node): Promise<boolean> {
  if (!node.externalId) return true;
  const cloud = ctx.cloud(node.provider);
  const server = await cloud.getServer(node.externalId);
  if (!server) return true;
  if (server.taskState !== 'deleting' && server.status !== 'DELETED') {
    await cloud.deleteServer(node.externalId);
  }
  return false;
}
