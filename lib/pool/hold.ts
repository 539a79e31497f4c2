import { ErrorCode, WhiskpoolError } from '../errors.ts';
import type { FollowUp } from '../events/messages.ts';
import type { Node } from '../node/node.ts';
import { listNodes, requireNode, transitionNode, updateNode } from '../node/repository.ts';
import type { NodeState } from '../node/states.ts';
import type { PoolContext } from './context.ts';
import { followUp } from './follow-ups.ts';

/** States an operator may hold a node in: it has a machine and has not begun to go. */
export const HOLDABLE_STATES: readonly NodeState[] = ['ready', 'in-use', 'used'];

/** Deletion reasons that release a held node; nothing else touches it. */
export const HOLD_RELEASES = {
  Operator: 'operator',
  MaxHoldAge: 'max-hold-age',
} as const;

const OFFLINE_MESSAGE = 'whiskpool: held by an operator';

/**
 * Holds a node for an operator: it is kept, with its server and agent, until it is deleted by
 * hand (or max-hold-age passes). `reason` goes in its comment. A ready node's agent is taken
 * offline first, so that no build lands on a machine kept for someone to look at. Holding a
 * held node again only updates its comment.
 */
export async function holdNode(ctx: PoolContext, nodeId: number, reason?: string): Promise<Node> {
  const node = await requireNode(ctx.db, nodeId);
  const comment = reason ?? node.comment ?? undefined;

  if (node.state === 'hold') {
    if (reason === undefined || reason === node.comment) return node;
    const updated = await updateNode(ctx.db, node, { comment: reason });
    if (!updated) throw conflict(node, 'it changed while its comment was written');
    return updated;
  }
  if (!HOLDABLE_STATES.includes(node.state)) {
    throw new WhiskpoolError(
      ErrorCode.NodeStateConflict,
      `node ${node.id} is ${node.state}; only ready, in-use or used nodes can be held`,
    );
  }

  const held = await transitionNode(ctx.db, node, 'hold', {
    reason: reason === undefined ? 'held by operator' : `held by operator: ${reason}`,
    changes: comment === undefined ? {} : { comment },
    now: ctx.now(),
  });
  if (!held) throw conflict(node, 'it changed state meanwhile; try again');

  if (node.state === 'ready') await takeOffline(ctx, held);
  ctx.log.info({ node: held.id, label: held.label, reason }, 'node held');
  return held;
}

/**
 * Held nodes past max-hold-age, as delete requests. Their message ids name the node only,
 * so a reconcile that finds the same node twice asks once.
 */
export async function expiredHolds(ctx: PoolContext): Promise<FollowUp[]> {
  const maxAge = ctx.config.maxHoldAge;
  if (maxAge === undefined || maxAge <= 0) return [];

  const cutoff = ctx.now() - maxAge * 1000;
  const held = await listNodes(ctx.db, { states: ['hold'] });
  const expired = held.filter((node) => node.stateTime <= cutoff);
  for (const node of expired) {
    ctx.log.info({ node: node.id, label: node.label, maxHoldAge: maxAge }, 'hold expired');
  }
  return expired.map((node) => followUp.delete(node.id, HOLD_RELEASES.MaxHoldAge));
}

async function takeOffline(ctx: PoolContext, node: Node) {
  const jenkins = ctx.jenkins(node.target);
  if (!jenkins || !node.nodeName) return;
  try {
    await jenkins.setOffline(node.nodeName, OFFLINE_MESSAGE);
  } catch (error) {
    // The hold stands: a build that still lands on it is taken offline by the offline step
    // and the node, being held, is not deleted under the operator.
    ctx.log.warn({ node: node.id, err: (error as Error).message }, 'held agent left online');
  }
}

function conflict(node: Node, why: string) {
  return new WhiskpoolError(ErrorCode.NodeStateConflict, `node ${node.id} was not held: ${why}`);
}
