import type { NodeState } from './states.ts';

/** One machine of the pool, as stored in the `nodes` table. */
export interface Node {
  id: number;
  provider: string;
  label: string;
  target: string;
  az: string | null;
  hostname: string | null;
  /** The Jenkins agent's name: the hostname up to its first dot. */
  nodeName: string | null;
  /** The cloud server's id, once the create call has answered. */
  externalId: string | null;
  imageRef: string | null;
  ip: string | null;
  ipPrivate: string | null;
  sshPort: number | null;
  state: NodeState;
  /** When the node entered its current state (epoch ms). */
  stateTime: number;
  createdAt: number;
  version: number;
  launchAttempts: number;
  /** The build that ran on it, as `JOB#NUMBER`. */
  build: string | null;
  comment: string | null;
  error: string | null;
  /** When a step last looked at the node while it waited (epoch ms). */
  checkedAt: number | null;
}

export interface NodeRow {
  id: number;
  provider: string;
  label: string;
  target: string;
  az: string | null;
  hostname: string | null;
  node_name: string | null;
  external_id: string | null;
  image_ref: string | null;
  ip: string | null;
  ip_private: string | null;
  ssh_port: number | null;
  state: string;
  state_time: number | string;
  created_at: number | string;
  version: number;
  launch_attempts: number;
  build: string | null;
  comment: string | null;
  error: string | null;
  checked_at?: number | string | null;
}

/** Fields that may change outside of a state change. */
export type NodeChanges = Partial<
  Pick<
    Node,
    | 'hostname'
    | 'nodeName'
    | 'externalId'
    | 'imageRef'
    | 'ip'
    | 'ipPrivate'
    | 'sshPort'
    | 'launchAttempts'
    | 'build'
    | 'comment'
    | 'error'
  >
>;

const COLUMN: Record<keyof NodeChanges, keyof NodeRow> = {
  hostname: 'hostname',
  nodeName: 'node_name',
  externalId: 'external_id',
  imageRef: 'image_ref',
  ip: 'ip',
  ipPrivate: 'ip_private',
  sshPort: 'ssh_port',
  launchAttempts: 'launch_attempts',
  build: 'build',
  comment: 'comment',
  error: 'error',
};

export function nodeFromRow(row: NodeRow): Node {
  return {
    id: row.id,
    provider: row.provider,
    label: row.label,
    target: row.target,
    az: row.az,
    hostname: row.hostname,
    nodeName: row.node_name,
    externalId: row.external_id,
    imageRef: row.image_ref,
    ip: row.ip,
    ipPrivate: row.ip_private,
    sshPort: row.ssh_port,
    state: row.state as NodeState,
    stateTime: Number(row.state_time),
    createdAt: Number(row.created_at),
    version: row.version,
    launchAttempts: row.launch_attempts,
    build: row.build,
    comment: row.comment,
    error: row.error,
    checkedAt: row.checked_at == null ? null : Number(row.checked_at),
  };
}

export function changesToColumns(changes: NodeChanges): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    let stored = value;
    // Cloud and Jenkins messages can be long; the column holds the start of one.
    if ((key === 'error' || key === 'comment') && typeof value === 'string') {
      stored = value.slice(0, 1000);
    }
    columns[COLUMN[key as keyof NodeChanges]] = stored;
  }
  return columns;
}
