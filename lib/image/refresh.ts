import { renderHostname } from '../config/hostname.ts';
import type { FollowUp } from '../events/messages.ts';
import { done, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { failRefresh } from './fail.ts';
import { imageFollowUp } from './follow-ups.ts';
import { RefreshStep } from './image.ts';
import { imagesInUse, providerImage } from './in-use.ts';
import type { ImageRefreshAllMessage, ImageRefreshMessage } from './messages.ts';
import { findRefreshing, insertRefresh } from './repository.ts';
import { isAbandoned } from './steps.ts';
import { IMAGE_TIMEOUT_SECONDS } from './timeouts.ts';

/**
 * Starts a refresh of one provider image, unless one is already running: then the request
 * is answered with that one. A refresh that stopped moving is ended first, so that a lost
 * message cannot block an image for ever.
 */
export async function requestRefresh(
  ctx: PoolContext,
  request: ImageRefreshMessage,
): Promise<StepOutcome> {
  const { provider, image } = providerImage(ctx.config, request.provider, request.image);
  const what = { provider: provider.name, imageName: image.name, reason: request.reason };
  if (image.diskimage !== undefined) {
    return done({ ...what, outcome: 'skipped', why: 'built by diskimage-builder' });
  }

  const start = () =>
    insertRefresh(ctx.db, {
      provider: provider.name,
      imageName: image.name,
      now: ctx.now(),
      timeoutSeconds: request.timeoutSeconds ?? IMAGE_TIMEOUT_SECONDS,
      hostnameFor: (version) =>
        renderHostname(provider.templateHostname, {
          provider: { name: provider.name },
          image: { name: image.name },
          timestamp: version,
        }),
    });

  const events: FollowUp[] = [];
  let started = await start();
  if (!started) {
    const running = await findRefreshing(ctx.db, provider.name, image.name);
    if (running && isAbandoned(ctx, running)) {
      const ended = await failRefresh(ctx, running, `abandoned at step ${running.step}`);
      events.push(...ended.events);
      started = await start();
    }
    if (!started) {
      return done({ ...what, outcome: 'already-refreshing', image: running?.id }, events);
    }
  }

  ctx.log.info(
    { ...what, image: started.id, version: started.version, hostname: started.hostname },
    'image refresh started',
  );
  return done({ ...what, outcome: 'started', image: started.id, version: started.version }, [
    ...events,
    imageFollowUp.step(started.id, RefreshStep.Boot),
  ]);
}

/**
 * The cron's tick: one refresh request per in-use provider image, each handled on its own.
 * Their ids carry the tick's time, so a replayed tick asks once.
 */
export function requestAllRefreshes(
  ctx: PoolContext,
  request: ImageRefreshAllMessage,
): StepOutcome {
  const requests = imagesInUse(ctx.config).map(({ provider, image }) =>
    imageFollowUp.refresh(
      { provider: provider.name, image: image.name, reason: request.reason },
      `${request.reason}-${request.at}`,
    ),
  );
  ctx.log.info({ reason: request.reason, images: requests.length }, 'image refreshes requested');
  return done({ outcome: 'requested', reason: request.reason, images: requests.length }, requests);
}
