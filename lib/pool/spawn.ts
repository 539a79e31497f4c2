import { chooseFlavor } from '../cloud/flavor.ts';
import { ownedBy, readOwnership, serverMetadata } from '../cloud/metadata.ts';
import type { CloudProvider, CloudServer } from '../cloud/provider.ts';
import { ErrorCode, isWhiskpoolError } from '../errors.ts';
import { newestReadyImage } from '../image/repository.ts';
import type { Node } from '../node/node.ts';
import { requireNode, transitionNode, updateNode } from '../node/repository.ts';
import { done, type PoolContext, type StepOutcome } from './context.ts';
import { failLaunch } from './fail.ts';
import { followUp } from './follow-ups.ts';
import { serverNetworks } from './networks.ts';
import { waitOn } from './wait.ts';
import { pauseProvider, pausedFor } from './provider-pause.ts';
import { LaunchResult } from './stats.ts';
import { imageFor, providerOf } from './topology.ts';

/**
 * Creates the server of a requested node. Safe to run twice: a node that already has a
 * server is only passed on, and a server created just before a crash is found again by the
 * node id in its metadata instead of being created a second time.
 */
export async function spawnNode(ctx: PoolContext, nodeId: number): Promise<StepOutcome> {
  let node = await requireNode(ctx.db, nodeId);

  if (node.state !== 'requested' && node.state !== 'building') {
    return done({ node: node.id, outcome: 'skipped', state: node.state });
  }
  if (node.externalId) {
    return done({ node: node.id, outcome: 'already-spawned' }, [
      followUp.readyCheck(node.id, node.launchAttempts),
    ]);
  }

  const paused = await pausedFor(ctx.db, node.provider, ctx.now());
  if (paused > 0) return waitOn(ctx, node.id, paused, { outcome: 'provider-paused' });

  // A node found already building is a retry: its server may exist from the try before.
  const retry = node.state === 'building';
  if (node.state === 'requested') {
    const building = await transitionNode(ctx.db, node, 'building', {
      reason: 'spawn',
      changes: { launchAttempts: node.launchAttempts + 1 },
      now: ctx.now(),
    });
    if (!building) return done({ node: node.id, outcome: 'raced' });
    node = building;
  }

  const cloud = ctx.cloud(node.provider);
  if (retry) {
    const own = await findOwnServers(ctx, cloud, node);
    if (own.usable) return recordServer(ctx, node, own.usable, 'adopted');
    // A failed attempt's server still counts against max-servers until it is gone; the new
    // one waits for it, so the node never holds two.
    if (own.leaving.length > 0) {
      await Promise.all(own.leaving.map((server) => cloud.deleteServer(server)));
      return waitOn(ctx, node.id, 500, { outcome: 'previous-server-leaving' });
    }
  }

  const provider = providerOf(ctx.config, node.provider);
  const image = imageFor(ctx.config, node.label, node.provider);
  // The newest ready snapshot when there is one (Nodepool booted nothing else); until the
  // first is made, the base image itself.
  const snapshot = await newestReadyImage(ctx.db, node.provider, image.name);
  const baseImage = snapshot?.externalId ?? image.baseImage ?? image.name;

  try {
    const [cloudImage, flavors, networks] = await Promise.all([
      cloud.findImage(baseImage),
      cloud.listFlavors(),
      serverNetworks(cloud, provider),
    ]);
    if (!cloudImage) {
      const reason = `provider ${node.provider} has no image "${baseImage}"`;
      return failLaunch(ctx, node, LaunchResult.NoImage, reason);
    }
    const flavor = chooseFlavor(flavors, {
      minRam: image.minRam,
      nameFilter: image.nameFilter ?? undefined,
      provider: node.provider,
    });

    const created = await cloud.createServer({
      name: node.hostname ?? `whiskpool-${node.id}`,
      imageId: cloudImage.id,
      flavorId: flavor.id,
      metadata: serverMetadata({
        poolId: ctx.config.poolId,
        nodeId: String(node.id),
        provider: node.provider,
        label: node.label,
        imageName: image.name,
      }),
      availabilityZone: node.az ?? undefined,
      networks,
      configDrive: image.configDrive || undefined,
    });
    ctx.log.info(
      { node: node.id, label: node.label, provider: node.provider, server: created.id },
      'server requested',
    );
    return recordServer(ctx, node, created.id, 'created', cloudImage.id);
  } catch (error) {
    // Over quota is not the launch's fault: the provider pauses and the launch waits, without
    // using up one of its retries.
    if (isWhiskpoolError(error, ErrorCode.QuotaExceeded)) {
      const pause = await pauseProvider(ctx.db, node.provider, ctx.now(), error.retryAfterMs);
      ctx.log.warn({ provider: node.provider, node: node.id, pauseMs: pause }, 'over quota');
      return waitOn(ctx, node.id, pause, { outcome: 'quota', pauseMs: pause });
    }
    // Outages are worth retrying; a refused request (bad flavor, bad image) is not.
    if (isWhiskpoolError(error) && !error.retryable) {
      return failLaunch(ctx, node, LaunchResult.Unknown, error.message);
    }
    throw error;
  }
}

/** The node's servers in the cloud: one to adopt, and those of failed attempts. */
async function findOwnServers(ctx: PoolContext, cloud: CloudProvider, node: Node) {
  const servers = (await cloud.listServers()).filter(
    (server) =>
      ownedBy(server, ctx.config.poolId) &&
      readOwnership(server.metadata)?.nodeId === String(node.id),
  );
  const failed = (server: CloudServer) =>
    server.status === 'ERROR' || server.taskState === 'deleting';
  return {
    usable: servers.find((server) => !failed(server))?.id ?? null,
    leaving: servers.filter(failed).map((server) => server.id),
  };
}

async function recordServer(
  ctx: PoolContext,
  node: Node,
  serverId: string,
  outcome: string,
  imageRef?: string,
): Promise<StepOutcome> {
  const updated = await updateNode(ctx.db, node, { externalId: serverId, imageRef });
  if (!updated) {
    // Someone else moved the node (deleted it, say) while we created its server: the sweep
    // finds the server by its metadata, so hand it to delete now rather than leak it.
    const current = await requireNode(ctx.db, node.id);
    if (current.externalId === serverId) return done({ node: node.id, outcome: 'raced' });
    await ctx.cloud(node.provider).deleteServer(serverId);
    return done({ node: node.id, outcome: 'raced-deleted-server', server: serverId });
  }
  // One id per attempt: the ready-check of a relaunched node is a new message, not a
  // duplicate of the failed attempt's.
  return done({ node: node.id, outcome, server: serverId }, [
    followUp.readyCheck(node.id, node.launchAttempts),
  ]);
}
