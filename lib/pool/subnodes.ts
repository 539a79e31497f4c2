import { chooseFlavor } from '../cloud/flavor.ts';
import { MetadataKey, NOVA_METADATA_MAX_LENGTH } from '../cloud/metadata.ts';
import type { CloudServer } from '../cloud/provider.ts';
import { renderHostname } from '../config/hostname.ts';
import { ErrorCode, isWhiskpoolError } from '../errors.ts';
import { newestReadyImage } from '../image/repository.ts';
import type { Node } from '../node/node.ts';
import {
  ensureSubnodeRows,
  getSubnode,
  liveSubnodes,
  markSubnodesDeleting,
  updateSubnode,
  type Subnode,
} from '../node/subnode.ts';
import type { PoolContext, StepOutcome } from './context.ts';
import { failLaunch } from './fail.ts';
import { serverNetworks } from './networks.ts';
import { LaunchResult } from './stats.ts';
import { imageFor, providerOf, targetOf } from './topology.ts';
import { waitOn } from './wait.ts';

/**
 * Metadata keys of a subnode's server. It carries the pool, provider and label like any
 * server of the pool, but not `whiskpool-node-id`: that key names the server of a node, and a
 * relaunched primary adopts the server that carries it.
 */
export const SubnodeKey = {
  Of: 'whiskpool-subnode-of',
  Id: 'whiskpool-subnode-id',
} as const;

/** How often booting subnodes are looked at again, as the primary's own boot is. */
const SUBNODE_POLL_MS = 250;

interface SubnodeFailure {
  result: LaunchResult;
  reason: string;
}

/**
 * Creates the servers of a node's subnodes that have none yet, in the primary's provider,
 * image and zone. Runs on every ready-check pass while the primary boots, so a crash between
 * two creations only delays the rest; a server created just before a crash is found again by
 * the subnode id in its metadata. Returns a failed launch, or null.
 */
export async function prepareSubnodes(ctx: PoolContext, node: Node): Promise<StepOutcome | null> {
  const count = ctx.config.labels.find((label) => label.name === node.label)?.subnodes ?? 0;
  if (count === 0) return null;

  await ensureSubnodeRows(ctx.db, node.id, count, ctx.now());
  const missing = (await liveSubnodes(ctx.db, node.id)).filter(
    (subnode) => subnode.state === 'building' && !subnode.externalId,
  );
  if (missing.length === 0) return null;

  const failure = await createSubnodeServers(ctx, node, missing);
  return failure ? failLaunch(ctx, node, failure.result, failure.reason) : null;
}

async function createSubnodeServers(
  ctx: PoolContext,
  node: Node,
  missing: Subnode[],
): Promise<SubnodeFailure | null> {
  const cloud = ctx.cloud(node.provider);
  const provider = providerOf(ctx.config, node.provider);
  const image = imageFor(ctx.config, node.label, node.provider);
  const snapshot = await newestReadyImage(ctx.db, node.provider, image.name);
  const imageRef = node.imageRef ?? snapshot?.externalId ?? image.baseImage ?? image.name;

  const [cloudImage, flavors, servers] = await Promise.all([
    cloud.findImage(imageRef),
    cloud.listFlavors(),
    cloud.listServers(),
  ]);
  if (!cloudImage) {
    const reason = `provider ${node.provider} has no image "${imageRef}"`;
    return { result: LaunchResult.NoImage, reason };
  }
  const flavor = chooseFlavor(flavors, {
    minRam: image.minRam,
    nameFilter: image.nameFilter ?? undefined,
    provider: node.provider,
  });
  const target = targetOf(ctx.config, node.target);

  for (const subnode of missing) {
    const adopted = servers.find((s) => s.metadata[SubnodeKey.Id] === String(subnode.id));
    const hostname = renderHostname(target.subnodeHostname, {
      label: { name: node.label },
      provider: { name: node.provider },
      target: { name: node.target },
      nodeId: node.id,
      subnodeId: subnode.id,
    });
    const serverId =
      adopted?.id ??
      (
        await cloud.createServer({
          name: hostname,
          imageId: cloudImage.id,
          flavorId: flavor.id,
          metadata: subnodeMetadata(ctx, node, subnode, image.name),
          availabilityZone: node.az ?? undefined,
          networks: await serverNetworks(cloud, provider),
          configDrive: image.configDrive || undefined,
        })
      ).id;

    const changes = { externalId: serverId, hostname };
    const recorded = await updateSubnode(ctx.db, subnode, changes, ctx.now());
    if (!recorded) {
      // Its primary began to go while the server was made: it goes too, now.
      await cloud.deleteServer(serverId);
      continue;
    }
    ctx.log.info(
      { node: node.id, subnode: subnode.id, position: subnode.position, server: serverId },
      adopted ? 'subnode server adopted' : 'subnode server requested',
    );
  }
  return null;
}

function subnodeMetadata(ctx: PoolContext, node: Node, subnode: Subnode, imageName: string) {
  const metadata: Record<string, string> = {
    [MetadataKey.Pool]: ctx.config.poolId,
    [MetadataKey.Provider]: node.provider,
    [MetadataKey.Label]: node.label,
    [SubnodeKey.Of]: String(node.id),
    [SubnodeKey.Id]: String(subnode.id),
    [MetadataKey.Nodepool]: JSON.stringify({
      provider_name: node.provider,
      node_id: String(node.id),
      subnode_id: String(subnode.id),
      image_name: imageName,
    }),
  };
  for (const [key, value] of Object.entries(metadata)) {
    metadata[key] = value.slice(0, NOVA_METADATA_MAX_LENGTH);
  }
  return metadata;
}

/**
 * The primary waits for its subnodes, as Nodepool's did: each must be ACTIVE and, unless the
 * provider trusts ACTIVE servers, answer a login. Returns the step's outcome while some are
 * not ready (wait, or the launch failed), null once all are. A subnode that fails fails the
 * launch; its server is deleted and its row made new, so a relaunch boots it again.
 * Once all are ready, the primary's login check tells every member about the set
 * (see node-set-files.ts).
 */
export async function awaitSubnodes(ctx: PoolContext, node: Node): Promise<StepOutcome | null> {
  const pending = (await liveSubnodes(ctx.db, node.id)).filter((s) => s.state === 'building');
  if (pending.length === 0) return null;

  const checks = await Promise.all(pending.map((subnode) => checkSubnode(ctx, node, subnode)));
  const failed = checks.find((check): check is SubnodeFailure => typeof check === 'object');
  if (failed) {
    const broken = pending.filter((_, i) => typeof checks[i] === 'object');
    await Promise.all(broken.map((subnode) => renew(ctx, node, subnode)));
    return failLaunch(ctx, node, failed.result, failed.reason);
  }
  if (checks.includes('waiting')) {
    return waitOn(ctx, node.id, SUBNODE_POLL_MS, { outcome: 'subnodes-booting' });
  }
  return null;
}

async function checkSubnode(
  ctx: PoolContext,
  node: Node,
  subnode: Subnode,
): Promise<'ready' | 'waiting' | SubnodeFailure> {
  if (!subnode.externalId) return 'waiting';
  const provider = providerOf(ctx.config, node.provider);
  const name = `subnode ${subnode.position} (${subnode.hostname ?? subnode.externalId})`;

  const server = await ctx.cloud(node.provider).getServer(subnode.externalId);
  if (!server) return { result: LaunchResult.Status, reason: `${name}: server vanished` };
  if (server.status === 'ERROR') {
    const fault = server.fault ? `: ${server.fault.message}` : '';
    return { result: LaunchResult.Status, reason: `${name}: server went to ERROR${fault}` };
  }
  if (server.status !== 'ACTIVE') {
    if (ctx.now() - subnode.createdAt <= provider.launchTimeout * 1000) return 'waiting';
    const reason = `${name}: server still ${server.status} after launch-timeout`;
    return { result: LaunchResult.Status, reason };
  }

  const ip = provider.ipv6Preferred ? (server.ipv6 ?? server.ipv4) : (server.ipv4 ?? server.ipv6);
  if (provider.hostKeyChecking) {
    if (!ip) return { result: LaunchResult.Network, reason: `${name}: ACTIVE without an address` };
    const login = await logIn(ctx, node, server, ip);
    if (login === 'failed') return { result: LaunchResult.Auth, reason: `${name}: no login` };
    if (login === 'not-yet') {
      if (ctx.now() - node.stateTime <= provider.bootTimeout * 1000) return 'waiting';
      return { result: LaunchResult.Auth, reason: `${name}: no login within boot-timeout` };
    }
  }

  const ready = await updateSubnode(
    ctx.db,
    subnode,
    { state: 'ready', ip: ip ?? null, sshPort: server.sshPort },
    ctx.now(),
  );
  return ready ? 'ready' : 'waiting';
}

async function logIn(ctx: PoolContext, node: Node, server: CloudServer, ip: string) {
  const image = imageFor(ctx.config, node.label, node.provider);
  try {
    const [result] = await ctx.ssh(
      {
        host: ip,
        port: server.sshPort,
        username: image.username,
        privateKey: await ctx.readPrivateKey(image.privateKey),
      },
      ['echo access okay'],
    );
    return result?.exitCode === 0 && result.stdout.includes('access okay') ? 'ok' : 'failed';
  } catch (error) {
    if (isWhiskpoolError(error, ErrorCode.ReadyCheckFailed)) return 'not-yet';
    throw error;
  }
}

/** Deletes a failed subnode's server and clears its row, for the launch's next attempt. */
async function renew(ctx: PoolContext, node: Node, subnode: Subnode) {
  if (!subnode.externalId) return;
  await ctx.cloud(node.provider).deleteServer(subnode.externalId);
  await updateSubnode(ctx.db, subnode, { externalId: null, ip: null, sshPort: null }, ctx.now());
}

/**
 * Deletes the servers of a node's subnodes, with their primary. True once the cloud has
 * confirmed every one gone.
 */
export async function removeSubnodes(ctx: PoolContext, node: Node): Promise<boolean> {
  await markSubnodesDeleting(ctx.db, node.id, ctx.now());
  const subnodes = await liveSubnodes(ctx.db, node.id);
  if (subnodes.length === 0) return true;

  const cloud = ctx.cloud(node.provider);
  const gone = await Promise.all(
    subnodes.map(async (subnode) => {
      const server = subnode.externalId ? await cloud.getServer(subnode.externalId) : null;
      if (!server) {
        await updateSubnode(ctx.db, subnode, { state: 'deleted' }, ctx.now());
        return true;
      }
      if (server.taskState !== 'deleting' && server.status !== 'DELETED') {
        await cloud.deleteServer(server.id);
      }
      return false;
    }),
  );
  return gone.every(Boolean);
}

/**
 * Whether a server of this pool is the server of a live subnode (or of one being created), so
 * that the leak sweep leaves it alone. False for servers that are not subnodes at all.
 */
export async function isLiveSubnodeServer(ctx: PoolContext, server: CloudServer) {
  const id = Number(server.metadata[SubnodeKey.Id]);
  if (!Number.isInteger(id)) return false;
  const subnode = await getSubnode(ctx.db, id);
  if (!subnode || subnode.state === 'deleted') return false;
  return subnode.externalId === server.id || (!subnode.externalId && subnode.state === 'building');
}
