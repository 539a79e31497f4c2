import { done, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { imageFollowUp } from './follow-ups.ts';
import type { SnapshotImage } from './image.ts';
import { markDeleting } from './repository.ts';

/**
 * Ends a refresh that went wrong: the attempt goes to deletion with its template server and
 * cloud image, and the image that was in service stays in service.
 */
export async function failRefresh(
  ctx: PoolContext,
  image: SnapshotImage,
  reason: string,
): Promise<StepOutcome> {
  const failed = await markDeleting(ctx.db, image, ctx.now(), reason);
  if (!failed) return done({ image: image.id, outcome: 'raced' });

  ctx.log.warn(
    { image: image.id, provider: image.provider, imageName: image.imageName, step: image.step,
      reason },
    'image refresh failed',
  );
  return done({ image: image.id, outcome: 'failed', step: image.step, reason }, [
    imageFollowUp.delete(image.id, 'failed'),
  ]);
}
