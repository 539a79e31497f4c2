import type { FollowUp } from '../events/messages.ts';
import { done, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { imageFollowUp } from './follow-ups.ts';
import type { SnapshotImage } from './image.ts';
import { markDeleting, markReady, readyImages } from './repository.ts';

/** Nodepool kept the current and the previous ready image of each provider image. */
export const KEEP_READY = 2;

/**
 * The snapshot is active: the template server goes, the image becomes the one new machines
 * boot from, and ready images older than the previous one are retired with their snapshots.
 */
export async function switchToSnapshot(
  ctx: PoolContext,
  image: SnapshotImage,
): Promise<StepOutcome> {
  if (image.serverExternalId) {
    try {
      await ctx.cloud(image.provider).deleteServer(image.serverExternalId);
    } catch (error) {
      // As in Nodepool, a template that will not go does not hold back a good image: its id
      // stays on the row, and deleting the image later deletes the server too.
      ctx.log.warn(
        { image: image.id, server: image.serverExternalId, err: (error as Error).message },
        'template server not deleted',
      );
    }
  }

  const ready = await markReady(ctx.db, image, ctx.now());
  if (!ready) return done({ image: image.id, outcome: 'raced' });

  const retired = await retireOldImages(ctx, ready);
  ctx.log.info(
    { image: ready.id, provider: ready.provider, imageName: ready.imageName,
      version: ready.version, cloudImage: ready.externalId, retired: retired.map((f) => f.data) },
    'image ready',
  );
  return done(
    { image: ready.id, outcome: 'ready', cloudImage: ready.externalId, retired: retired.length },
    retired,
  );
}

async function retireOldImages(ctx: PoolContext, current: SnapshotImage): Promise<FollowUp[]> {
  const ready = await readyImages(ctx.db, current.provider, current.imageName);
  const events: FollowUp[] = [];
  for (const old of ready.slice(KEEP_READY)) {
    const deleting = await markDeleting(ctx.db, old, ctx.now());
    if (deleting) events.push(imageFollowUp.delete(old.id, 'retired'));
  }
  return events;
}
