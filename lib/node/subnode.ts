import type { Knex } from 'knex';

type Queryable = Knex | Knex.Transaction;

/**
 * A subnode's life is short and bound to its primary's: `building` until its server is
 * ACTIVE and reachable, `ready` after, `deleting` once its primary goes, `deleted` when the
 * cloud confirms its server gone.
 */
export type SubnodeState = 'building' | 'ready' | 'deleting' | 'deleted';

/** One extra server of a multi-machine set, as stored in the `subnodes` table. */
export interface Subnode {
  id: number;
  nodeId: number;
  /** 1..N within its node. */
  position: number;
  hostname: string | null;
  externalId: string | null;
  ip: string | null;
  sshPort: number | null;
  state: SubnodeState;
  stateTime: number;
  createdAt: number;
}

interface SubnodeRow {
  id: number;
  node_id: number;
  position: number;
  hostname: string | null;
  external_id: string | null;
  ip: string | null;
  ip_private: string | null;
  ssh_port: number | null;
  state: string;
  state_time: number | string;
  created_at: number | string;
}

function fromRow(row: SubnodeRow): Subnode {
  return {
    id: row.id,
    nodeId: row.node_id,
    position: row.position,
    hostname: row.hostname,
    externalId: row.external_id,
    ip: row.ip,
    sshPort: row.ssh_port,
    state: row.state as SubnodeState,
    stateTime: Number(row.state_time),
    createdAt: Number(row.created_at),
  };
}

/** Makes sure a node has rows for positions 1..count; existing rows are left as they are. */
export async function ensureSubnodeRows(db: Queryable, nodeId: number, count: number, now: number) {
  const rows = Array.from({ length: count }, (_, i) => ({
    node_id: nodeId,
    position: i + 1,
    state: 'building',
    state_time: now,
    created_at: now,
  }));
  if (rows.length === 0) return;
  await db('subnodes').insert(rows).onConflict(['node_id', 'position']).ignore();
}

/** A node's subnodes that have not been deleted, by position. */
export async function liveSubnodes(db: Queryable, nodeId: number): Promise<Subnode[]> {
  const rows = (await db('subnodes')
    .where({ node_id: nodeId })
    .whereNot('state', 'deleted')
    .orderBy('position')) as SubnodeRow[];
  return rows.map(fromRow);
}

export async function getSubnode(db: Queryable, id: number): Promise<Subnode | null> {
  const row = (await db('subnodes').where({ id }).first()) as SubnodeRow | undefined;
  return row ? fromRow(row) : null;
}

export interface SubnodeChanges {
  hostname?: string | null;
  externalId?: string | null;
  ip?: string | null;
  sshPort?: number | null;
  state?: SubnodeState;
}

/**
 * Changes a subnode if it is still as it was read (same state and server): a compare-and-set
 * like the nodes', so a spawn and a delete racing on one subnode cannot both win. Returns
 * the subnode as changed, or null when it had changed meanwhile.
 */
export async function updateSubnode(
  db: Queryable,
  subnode: Subnode,
  changes: SubnodeChanges,
  now: number,
): Promise<Subnode | null> {
  const columns: Record<string, unknown> = {};
  if (changes.hostname !== undefined) columns.hostname = changes.hostname;
  if (changes.externalId !== undefined) columns.external_id = changes.externalId;
  if (changes.ip !== undefined) columns.ip = changes.ip;
  if (changes.sshPort !== undefined) columns.ssh_port = changes.sshPort;
  if (changes.state !== undefined && changes.state !== subnode.state) {
    columns.state = changes.state;
    columns.state_time = now;
  }

  const updated = await db('subnodes')
    .where({ id: subnode.id, state: subnode.state, external_id: subnode.externalId })
    .update(columns);
  if (updated !== 1) return null;
  return getSubnode(db, subnode.id);
}

/** Marks every live subnode of a node as deleting, when its primary starts to go. */
export async function markSubnodesDeleting(db: Queryable, nodeId: number, now: number) {
  await db('subnodes')
    .where({ node_id: nodeId })
    .whereIn('state', ['building', 'ready'])
    .update({ state: 'deleting', state_time: now });
}
