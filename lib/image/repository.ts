import type { Knex } from 'knex';

import { ErrorCode, WhiskpoolError } from '../errors.ts';
import {
  changesToColumns,
  imageFromRow,
  ImageState,
  type ImageChanges,
  type ImageRow,
  type RefreshStep,
  type SnapshotImage,
} from './image.ts';

type Queryable = Knex | Knex.Transaction;

export interface NewRefresh {
  provider: string;
  imageName: string;
  now: number;
  timeoutSeconds: number;
  /** The template server's name, from the version the refresh gets. */
  hostnameFor(version: number): string;
}

/**
 * Starts a refresh: inserts the building row that holds the (provider, image)'s refresh
 * lock. Null when another refresh of the same image holds it: the unique index lets exactly
 * one of two racing inserts win.
 */
export async function insertRefresh(
  db: Queryable,
  fields: NewRefresh,
): Promise<SnapshotImage | null> {
  const newest = (await db('images')
    .where({ provider: fields.provider, image_name: fields.imageName })
    .max('version as version')
    .first()) as { version: number | string | null } | undefined;
  // Versions name the template and its snapshot, so they must differ even when a failed
  // attempt is followed by another within the same second.
  const version = Math.max(Math.floor(fields.now / 1000), Number(newest?.version ?? 0) + 1);

  try {
    const inserted = await db('images').insert({
      provider: fields.provider,
      image_name: fields.imageName,
      hostname: fields.hostnameFor(version),
      version,
      state: ImageState.Building,
      state_time: fields.now,
      step: 'boot',
      step_time: fields.now,
      timeout_s: fields.timeoutSeconds,
      refreshing: 1,
    });
    return requireImage(db, Number(inserted[0]));
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

export async function getImage(db: Queryable, id: number): Promise<SnapshotImage | null> {
  const row = (await db('images').where({ id }).first()) as ImageRow | undefined;
  return row ? imageFromRow(row) : null;
}

export async function requireImage(db: Queryable, id: number): Promise<SnapshotImage> {
  const image = await getImage(db, id);
  if (!image) throw new WhiskpoolError(ErrorCode.ImageNotFound, `image ${id} does not exist`);
  return image;
}

/** The refresh of this image that holds the lock, if one does. */
export async function findRefreshing(
  db: Queryable,
  provider: string,
  imageName: string,
): Promise<SnapshotImage | null> {
  const row = (await db('images')
    .where({ provider, image_name: imageName, refreshing: 1 })
    .first()) as ImageRow | undefined;
  return row ? imageFromRow(row) : null;
}

/** The image new machines of this provider image boot from: the newest ready one. */
export async function newestReadyImage(
  db: Queryable,
  provider: string,
  imageName: string,
): Promise<SnapshotImage | null> {
  const [newest] = await readyImages(db, provider, imageName);
  return newest ?? null;
}

/** Ready images of one provider image, newest first. */
export async function readyImages(
  db: Queryable,
  provider: string,
  imageName: string,
): Promise<SnapshotImage[]> {
  const rows = (await db('images')
    .where({ provider, image_name: imageName, state: ImageState.Ready })
    .orderBy([
      { column: 'version', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])) as ImageRow[];
  return rows.map(imageFromRow);
}

export interface ImageFilter {
  states?: readonly ImageState[];
}

export async function listImages(db: Queryable, filter: ImageFilter = {}) {
  const query = db('images').orderBy('id');
  if (filter.states) query.whereIn('state', filter.states as ImageState[]);
  return ((await query) as ImageRow[]).map(imageFromRow);
}

/**
 * Takes the lease of a building image's current step until `until`. False when the step has
 * moved on or another invocation holds an unexpired lease.
 */
export async function claimStep(
  db: Queryable,
  image: SnapshotImage,
  now: number,
  until: number,
): Promise<boolean> {
  const changed = await db('images')
    .where({ id: image.id, state: ImageState.Building, step: image.step })
    .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<=', now))
    .update({ lease_until: until });
  return changed === 1;
}

/** Gives a lease back early, so that a retry need not wait for it to expire. */
export async function releaseStep(db: Queryable, image: SnapshotImage, until: number) {
  await db('images')
    .where({ id: image.id, state: ImageState.Building, step: image.step, lease_until: until })
    .update({ lease_until: null });
}

/** Moves a building image from its current step to `next`; null when it had moved already. */
export async function advanceStep(
  db: Queryable,
  image: SnapshotImage,
  next: RefreshStep,
  now: number,
  changes: ImageChanges = {},
): Promise<SnapshotImage | null> {
  const changed = await db('images')
    .where({ id: image.id, state: ImageState.Building, step: image.step })
    .update({ ...changesToColumns(changes), step: next, step_time: now, lease_until: null });
  return changed === 1 ? requireImage(db, image.id) : null;
}

/** The refresh is done: the image is ready and the lock is free. */
export async function markReady(db: Queryable, image: SnapshotImage, now: number) {
  const changed = await db('images')
    .where({ id: image.id, state: ImageState.Building, step: image.step })
    .update({
      state: ImageState.Ready,
      state_time: now,
      step: null,
      step_time: null,
      lease_until: null,
      refreshing: null,
    });
  return changed === 1 ? requireImage(db, image.id) : null;
}

/**
 * Sends a building or ready image to deletion, freeing the lock. A building image keeps the
 * reason its refresh failed.
 */
export async function markDeleting(
  db: Queryable,
  image: SnapshotImage,
  now: number,
  error?: string,
): Promise<SnapshotImage | null> {
  const columns: Record<string, unknown> = {
    state: ImageState.Deleting,
    state_time: now,
    lease_until: null,
    refreshing: null,
  };
  if (error !== undefined) columns.error = error.slice(0, 1024);

  const query = db('images').where({ id: image.id, state: image.state });
  if (image.state === ImageState.Building) query.andWhere({ step: image.step });
  const changed = await query.update(columns);
  return changed === 1 ? requireImage(db, image.id) : null;
}

export async function markDeleted(db: Queryable, image: SnapshotImage, now: number) {
  const changed = await db('images')
    .where({ id: image.id, state: ImageState.Deleting })
    .update({ state: ImageState.Deleted, state_time: now, step: null, step_time: null });
  return changed === 1;
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'ER_DUP_ENTRY';
}
