import { done, later, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { failRefresh } from './fail.ts';
import { imageFollowUp } from './follow-ups.ts';
import { RefreshStep, type SnapshotImage } from './image.ts';
import { providerImage } from './in-use.ts';
import { advanceStep } from './repository.ts';
import { POLL_MS } from './timeouts.ts';

/** Looks at the template server until it is ACTIVE, within the provider's launch-timeout. */
export async function waitForTemplate(
  ctx: PoolContext,
  image: SnapshotImage,
): Promise<StepOutcome> {
  const { provider } = providerImage(ctx.config, image.provider, image.imageName);
  const serverId = image.serverExternalId;
  if (!serverId) return failRefresh(ctx, image, 'template server was never recorded');

  const server = await ctx.cloud(image.provider).getServer(serverId);
  if (!server) return failRefresh(ctx, image, `template server ${serverId} vanished`);
  if (server.status === 'ERROR') {
    const fault = server.fault ? `: ${server.fault.message}` : '';
    return failRefresh(ctx, image, `template server went to ERROR${fault}`);
  }

  if (server.status !== 'ACTIVE') {
    const waited = ctx.now() - (image.stepTime ?? image.stateTime);
    if (waited > provider.launchTimeout * 1000) {
      const reason = `template server still ${server.status} after launch-timeout ` +
        `${provider.launchTimeout} s`;
      return failRefresh(ctx, image, reason);
    }
    return later(POLL_MS, { image: image.id, outcome: 'booting', status: server.status });
  }

  const moved = await advanceStep(ctx.db, image, RefreshStep.Setup, ctx.now());
  if (!moved) return done({ image: image.id, outcome: 'raced' });
  return done({ image: image.id, outcome: 'active', server: serverId }, [
    imageFollowUp.step(image.id, RefreshStep.Setup),
  ]);
}
