import { chooseFlavor } from '../cloud/flavor.ts';
import { templateMetadata, readTemplateOwnership } from '../cloud/metadata.ts';
import type { CloudProvider } from '../cloud/provider.ts';
import { done, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { failRefresh } from './fail.ts';
import { imageFollowUp } from './follow-ups.ts';
import { RefreshStep, type SnapshotImage } from './image.ts';
import { providerImage } from './in-use.ts';
import { advanceStep, getImage } from './repository.ts';

/**
 * Boots the template server from the image's base image (a name, or a UUID taken as an id),
 * with the flavor Nodepool would choose. A server created just before a crash is found again
 * by the image id in its metadata rather than created twice.
 */
export async function bootTemplate(ctx: PoolContext, image: SnapshotImage): Promise<StepOutcome> {
  const cloud = ctx.cloud(image.provider);
  const existing = image.serverExternalId ?? (await findOwnTemplate(ctx, cloud, image));
  if (existing) return recordServer(ctx, image, existing, 'adopted');

  const { provider, image: config } = providerImage(ctx.config, image.provider, image.imageName);
  const baseImage = config.baseImage ?? config.name;
  const [base, flavors] = await Promise.all([cloud.findImage(baseImage), cloud.listFlavors()]);
  if (!base) {
    return failRefresh(ctx, image, `provider ${image.provider} has no image "${baseImage}"`);
  }

  const flavor = chooseFlavor(flavors, {
    minRam: config.minRam,
    nameFilter: config.nameFilter,
    provider: image.provider,
  });
  const networks = provider.networks.flatMap((n) => (n.id ? [{ uuid: n.id }] : []));
  const created = await cloud.createServer({
    name: image.hostname ?? `template-${image.imageName}-${image.version}`,
    imageId: base.id,
    flavorId: flavor.id,
    metadata: templateMetadata({
      poolId: ctx.config.poolId,
      imageId: String(image.id),
      provider: image.provider,
      imageName: image.imageName,
    }),
    networks: networks.length > 0 ? networks : undefined,
    configDrive: config.configDrive || undefined,
    keyName: provider.keypair,
  });
  ctx.log.info(
    { image: image.id, provider: image.provider, imageName: image.imageName, server: created.id,
      base: base.id, flavor: flavor.name },
    'template server requested',
  );
  return recordServer(ctx, image, created.id, 'created');
}

async function findOwnTemplate(ctx: PoolContext, cloud: CloudProvider, image: SnapshotImage) {
  const servers = await cloud.listServers();
  const mine = servers.find((server) => {
    const owner = readTemplateOwnership(server.metadata);
    return owner?.poolId === ctx.config.poolId && owner.imageId === String(image.id);
  });
  return mine?.id ?? null;
}

async function recordServer(
  ctx: PoolContext,
  image: SnapshotImage,
  serverId: string,
  outcome: string,
): Promise<StepOutcome> {
  const moved = await advanceStep(ctx.db, image, RefreshStep.WaitServer, ctx.now(), {
    serverExternalId: serverId,
  });
  if (!moved) {
    const current = await getImage(ctx.db, image.id);
    if (current?.serverExternalId === serverId) return done({ image: image.id, outcome: 'raced' });
    // The refresh failed meanwhile; a server nobody records would leak.
    await ctx.cloud(image.provider).deleteServer(serverId);
    return done({ image: image.id, outcome: 'raced-deleted-server', server: serverId });
  }
  return done({ image: image.id, outcome, server: serverId }, [
    imageFollowUp.step(image.id, RefreshStep.WaitServer),
  ]);
}
