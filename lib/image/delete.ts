import { done, later, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { ImageState } from './image.ts';
import { getImage, markDeleted } from './repository.ts';
import { DELETE_WAIT_MS, POLL_MS, SLOW_POLL_MS } from './timeouts.ts';

/**
 * Removes an image that is being deleted (a failed attempt or a retired image): its template
 * server and its snapshot, then confirms both gone. Every part is idempotent, so a replayed
 * delete picks up where the last one stopped.
 */
export async function deleteSnapshot(ctx: PoolContext, imageId: number): Promise<StepOutcome> {
  const image = await getImage(ctx.db, imageId);
  if (!image) return done({ image: imageId, outcome: 'unknown-image' });
  if (image.state === ImageState.Deleted) {
    return done({ image: image.id, outcome: 'already-deleted' });
  }
  if (image.state !== ImageState.Deleting) {
    return done({ image: image.id, outcome: 'skipped', state: image.state });
  }

  const cloud = ctx.cloud(image.provider);
  const server = image.serverExternalId;
  const snapshot = image.externalId;
  if (server) await cloud.deleteServer(server);
  if (snapshot) await cloud.deleteImage(snapshot);

  const [serverLeft, snapshotLeft] = await Promise.all([
    server ? cloud.getServer(server) : null,
    snapshot ? cloud.getImage(snapshot) : null,
  ]);
  // Glance may keep a deleted image visible with status `deleted`.
  const snapshotGone = !snapshotLeft || snapshotLeft.status === 'deleted';
  if (serverLeft || !snapshotGone) {
    const waited = ctx.now() - image.stateTime;
    if (waited > DELETE_WAIT_MS) {
      ctx.log.warn(
        { image: image.id, server: serverLeft?.id, snapshot: snapshotGone ? undefined : snapshot,
          waitedMs: waited },
        'image still not gone from the cloud',
      );
    }
    return later(waited > DELETE_WAIT_MS ? SLOW_POLL_MS : POLL_MS, {
      image: image.id,
      outcome: 'deleting',
    });
  }

  await markDeleted(ctx.db, image, ctx.now());
  ctx.log.info(
    { image: image.id, provider: image.provider, imageName: image.imageName, snapshot },
    'image deleted',
  );
  return done({ image: image.id, outcome: 'deleted' });
}
