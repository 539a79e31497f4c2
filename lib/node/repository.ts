import type { Knex } from 'knex';

import { ErrorCode, WhiskpoolError } from '../errors.ts';
import {
  changesToColumns,
  nodeFromRow,
  type Node,
  type NodeChanges,
  type NodeRow,
} from './node.ts';
import { isLegalTransition, LIVE_STATES, type NodeState } from './states.ts';

type Queryable = Knex | Knex.Transaction;

export interface NewNode {
  provider: string;
  label: string;
  target: string;
  az: string | null;
}

/**
 * Inserts a node in state `requested` with its first transition, and names it once its id is
 * known (hostname templates use the id). Runs inside the caller's transaction.
 */
export async function insertRequestedNode(
  trx: Knex.Transaction,
  fields: NewNode,
  now: number,
  nameFor: (id: number) => { hostname: string; nodeName: string },
): Promise<Node> {
  const inserted = await trx('nodes').insert({
    provider: fields.provider,
    label: fields.label,
    target: fields.target,
    az: fields.az,
    state: 'requested',
    state_time: now,
    created_at: now,
    version: 0,
    launch_attempts: 0,
  });
  const id = Number(inserted[0]);
  const names = nameFor(id);

  await trx('nodes').where({ id }).update({ hostname: names.hostname, node_name: names.nodeName });
  await trx('node_transitions').insert({
    node_id: id,
    from_state: null,
    to_state: 'requested',
    at: now,
    reason: 'allocated',
  });

  const node = await getNode(trx, id);
  if (!node) throw new Error(`node ${id} vanished inside its own transaction`);
  return node;
}

export async function getNode(db: Queryable, id: number): Promise<Node | null> {
  const row = (await db('nodes').where({ id }).first()) as NodeRow | undefined;
  return row ? nodeFromRow(row) : null;
}

export async function requireNode(db: Queryable, id: number): Promise<Node> {
  const node = await getNode(db, id);
  if (!node) throw new WhiskpoolError(ErrorCode.NodeNotFound, `node ${id} does not exist`);
  return node;
}

/** The live node Jenkins knows by `nodeName`, if any. Deleted nodes keep their name. */
export async function findLiveNodeByName(db: Queryable, nodeName: string): Promise<Node | null> {
  const row = (await db('nodes')
    .where({ node_name: nodeName })
    .whereIn('state', LIVE_STATES as NodeState[])
    .orderBy('id', 'desc')
    .first()) as NodeRow | undefined;
  return row ? nodeFromRow(row) : null;
}

export interface ListFilter {
  states?: readonly NodeState[];
  provider?: string;
  label?: string;
}

export async function listNodes(db: Queryable, filter: ListFilter = {}): Promise<Node[]> {
  const query = db('nodes').orderBy([{ column: 'provider' }, { column: 'label' }, 'id']);
  if (filter.states) query.whereIn('state', filter.states as NodeState[]);
  if (filter.provider) query.where({ provider: filter.provider });
  if (filter.label) query.where({ label: filter.label });
  const rows = (await query) as NodeRow[];
  return rows.map(nodeFromRow);
}

export interface TransitionOptions {
  reason?: string;
  changes?: NodeChanges;
  now?: number;
}

/**
 * Moves `node` to `to` if, and only if, nobody changed it since it was read: the update is a
 * compare-and-set on state and version, so of two racing invocations exactly one wins.
 * Returns the updated node, or null when another invocation got there first.
 */
export async function transitionNode(
  db: Knex,
  node: Node,
  to: NodeState,
  options: TransitionOptions = {},
): Promise<Node | null> {
  if (!isLegalTransition(node.state, to)) {
    throw new WhiskpoolError(
      ErrorCode.IllegalTransition,
      `node ${node.id}: ${node.state} -> ${to} is not a step of the node life`,
    );
  }
  const now = options.now ?? Date.now();

  return db.transaction(async (trx) => {
    const updated = await trx('nodes')
      .where({ id: node.id, state: node.state, version: node.version })
      .update({
        ...changesToColumns(options.changes ?? {}),
        state: to,
        state_time: now,
        version: node.version + 1,
      });
    if (updated !== 1) return null;

    await trx('node_transitions').insert({
      node_id: node.id,
      from_state: node.state,
      to_state: to,
      at: now,
      reason: options.reason?.slice(0, 1000) ?? null,
    });
    return getNode(trx, node.id);
  });
}

/** Changes fields of a node without changing its state; compare-and-set like transitions. */
export async function updateNode(db: Queryable, node: Node, changes: NodeChanges) {
  const updated = await db('nodes')
    .where({ id: node.id, state: node.state, version: node.version })
    .update({ ...changesToColumns(changes), version: node.version + 1 });
  if (updated !== 1) return null;
  return getNode(db, node.id);
}

export interface Transition {
  nodeId: number;
  from: NodeState | null;
  to: NodeState;
  at: number;
  reason: string | null;
}

export async function listTransitions(db: Queryable, nodeId?: number): Promise<Transition[]> {
  const query = db('node_transitions').orderBy('id');
  if (nodeId !== undefined) query.where({ node_id: nodeId });
  const rows = (await query) as {
    node_id: number;
    from_state: string | null;
    to_state: string;
    at: number | string;
    reason: string | null;
  }[];
  return rows.map((row) => ({
    nodeId: row.node_id,
    from: row.from_state as NodeState | null,
    to: row.to_state as NodeState,
    at: Number(row.at),
    reason: row.reason,
  }));
}

/**
 * Notes that a step looked at a waiting node. Not a state change, so neither the version nor
 * the transitions move: it only tells the sweep that the node's chain of steps is alive.
 */
export async function touchNode(db: Queryable, id: number, now: number) {
  await db('nodes').where({ id }).update({ checked_at: now });
}
