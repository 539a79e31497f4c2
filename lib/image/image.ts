/**
 * A snapshot image of one provider's image, as stored in the `images` table: Nodepool's
 * `snapshot_image` row, plus the step a refresh is at.
 *
 * building -> ready -> deleting -> deleted, and building -> deleting when a refresh fails.
 * Rows are kept once deleted, as node rows are, so that the pool's history stays readable.
 */
export const ImageState = {
  Building: 'building',
  Ready: 'ready',
  Deleting: 'deleting',
  Deleted: 'deleted',
} as const;

export type ImageState = (typeof ImageState)[keyof typeof ImageState];

/** The steps of a refresh, in order. Each one is a short invocation of its own. */
export const RefreshStep = {
  /** Create the template server from the base image. */
  Boot: 'boot',
  /** Until the template server is ACTIVE. */
  WaitServer: 'wait-server',
  /** Log in, copy the scripts, start the image's setup script. */
  Setup: 'setup',
  /** Until the setup script has ended. */
  SetupWait: 'setup-wait',
  /** Nova createImage. */
  Snapshot: 'snapshot',
  /** Until Glance says the snapshot is active. */
  WaitImage: 'wait-image',
  /** Delete the template server, mark the image ready, retire old images. */
  Switch: 'switch',
} as const;

export type RefreshStep = (typeof RefreshStep)[keyof typeof RefreshStep];

export const REFRESH_STEPS: readonly RefreshStep[] = Object.values(RefreshStep);

export interface SnapshotImage {
  id: number;
  provider: string;
  /** The provider image's name in the configuration. */
  imageName: string;
  /** The template server's name; the snapshot in Glance carries it too. */
  hostname: string | null;
  /** Unix seconds when the refresh started, as Nodepool numbered its snapshots. */
  version: number;
  /** The Glance image's id, once Nova has answered createImage. */
  externalId: string | null;
  /** The template server's id; kept after the server is deleted, as Nodepool did. */
  serverExternalId: string | null;
  state: ImageState;
  /** When the image entered its current state (epoch ms). */
  stateTime: number;
  step: RefreshStep | null;
  /** When the refresh entered its current step (epoch ms). */
  stepTime: number | null;
  /** A step that works for long holds the row until then (epoch ms). */
  leaseUntil: number | null;
  /** How long Glance may take to make the snapshot active, for this attempt. */
  timeoutSeconds: number | null;
  /** Why the refresh failed. */
  error: string | null;
}

export interface ImageRow {
  id: number;
  provider: string;
  image_name: string;
  hostname: string | null;
  version: number | string;
  external_id: string | null;
  server_external_id: string | null;
  state: string;
  state_time: number | string;
  step: string | null;
  step_time: number | string | null;
  lease_until: number | string | null;
  timeout_s: number | null;
  error: string | null;
  refreshing: number | null;
}

export function imageFromRow(row: ImageRow): SnapshotImage {
  return {
    id: Number(row.id),
    provider: row.provider,
    imageName: row.image_name,
    hostname: row.hostname,
    version: Number(row.version),
    externalId: row.external_id,
    serverExternalId: row.server_external_id,
    state: row.state as ImageState,
    stateTime: Number(row.state_time),
    step: row.step as RefreshStep | null,
    stepTime: row.step_time === null ? null : Number(row.step_time),
    leaseUntil: row.lease_until === null ? null : Number(row.lease_until),
    timeoutSeconds: row.timeout_s,
    error: row.error,
  };
}

/** Image row fields a step may record. */
export interface ImageChanges {
  externalId?: string;
  serverExternalId?: string;
}

export function changesToColumns(changes: ImageChanges): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  if (changes.externalId !== undefined) columns.external_id = changes.externalId;
  if (changes.serverExternalId !== undefined) {
    columns.server_external_id = changes.serverExternalId;
  }
  return columns;
}
