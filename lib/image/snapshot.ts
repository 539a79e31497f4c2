import { done, later, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { failRefresh } from './fail.ts';
import { imageFollowUp } from './follow-ups.ts';
import { RefreshStep, type SnapshotImage } from './image.ts';
import { providerImage } from './in-use.ts';
import { advanceStep, getImage } from './repository.ts';
import { IMAGE_TIMEOUT_SECONDS, POLL_MS } from './timeouts.ts';

/** Glance statuses after which a snapshot will never become active. */
const DEAD_STATUSES = new Set(['killed', 'deleted', 'pending_delete', 'deactivated']);

/**
 * Asks Nova to snapshot the template server, named like it, with the image's `meta` (already
 * checked against Nova's limits when the configuration was read). A step that died between
 * Nova's answer and the row update is redelivered; it finds that snapshot by its name, which
 * no other refresh uses, instead of taking a second one that nothing would ever delete.
 */
export async function takeSnapshot(ctx: PoolContext, image: SnapshotImage): Promise<StepOutcome> {
  if (image.externalId) return recordSnapshot(ctx, image, image.externalId);

  const { image: config } = providerImage(ctx.config, image.provider, image.imageName);
  const metadata = Object.fromEntries(
    Object.entries(config.meta).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
  const name = image.hostname ?? `${image.imageName}-${image.version}`;
  const cloud = ctx.cloud(image.provider);
  const earlier = (await cloud.listImages()).find(
    (found) => found.name === name && !DEAD_STATUSES.has(found.status),
  );
  if (earlier) return recordSnapshot(ctx, image, earlier.id);

  const created = await cloud.createImage(image.serverExternalId ?? '', name, metadata);
  ctx.log.info(
    { image: image.id, provider: image.provider, imageName: image.imageName,
      cloudImage: created.id },
    'snapshot requested',
  );
  return recordSnapshot(ctx, image, created.id);
}

async function recordSnapshot(ctx: PoolContext, image: SnapshotImage, cloudImage: string) {
  const moved = await advanceStep(ctx.db, image, RefreshStep.WaitImage, ctx.now(), {
    externalId: cloudImage,
  });
  if (!moved) {
    const current = await getImage(ctx.db, image.id);
    if (current?.externalId === cloudImage) return done({ image: image.id, outcome: 'raced' });
    // The refresh failed meanwhile, before it knew this snapshot: nobody else will delete it.
    await ctx.cloud(image.provider).deleteImage(cloudImage);
    return done({ image: image.id, outcome: 'raced-deleted-image', cloudImage });
  }
  return done({ image: image.id, outcome: 'snapshot-requested', cloudImage }, [
    imageFollowUp.step(image.id, RefreshStep.WaitImage),
  ]);
}

/** Looks at the snapshot in Glance until it is active, within the attempt's image timeout. */
export async function waitForSnapshot(
  ctx: PoolContext,
  image: SnapshotImage,
): Promise<StepOutcome> {
  const cloudImage = image.externalId;
  if (!cloudImage) return failRefresh(ctx, image, 'snapshot was never recorded');

  const found = await ctx.cloud(image.provider).getImage(cloudImage);
  if (!found) return failRefresh(ctx, image, `snapshot ${cloudImage} vanished from Glance`);
  if (DEAD_STATUSES.has(found.status)) {
    return failRefresh(ctx, image, `Glance says snapshot ${cloudImage} is ${found.status}`);
  }

  if (found.status !== 'active') {
    const timeout = image.timeoutSeconds ?? IMAGE_TIMEOUT_SECONDS;
    if (ctx.now() - (image.stepTime ?? image.stateTime) > timeout * 1000) {
      const reason = `snapshot ${cloudImage} still ${found.status} after ${timeout} s`;
      return failRefresh(ctx, image, reason);
    }
    return later(POLL_MS, { image: image.id, outcome: 'saving', status: found.status });
  }

  const moved = await advanceStep(ctx.db, image, RefreshStep.Switch, ctx.now());
  if (!moved) return done({ image: image.id, outcome: 'raced' });
  return done({ image: image.id, outcome: 'snapshot-active', cloudImage }, [
    imageFollowUp.step(image.id, RefreshStep.Switch),
  ]);
}
