import { ErrorCode, WhiskpoolError, isWhiskpoolError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import {
  CloudOperation,
  type CloudCallHook,
  type CloudImage,
  type CloudProvider,
} from '../provider.ts';
import {
  createdImageId,
  glanceNextMarker,
  isUuidShaped,
  newestActive,
  toCloudImage,
  type GlanceImage,
} from './glance.ts';
import { KeystoneSession, type KeystoneCredentials } from './keystone.ts';
import {
  createServerBody,
  nextMarker,
  toCloudFlavor,
  toCloudLimits,
  toCloudServer,
  type NovaFlavor,
  type NovaServer,
} from './nova.ts';
import { ServiceSession } from './session.ts';

export interface OpenStackOptions extends KeystoneCredentials {
  /** The provider's name in the configuration; used in messages and logs. */
  name?: string;
  regionName?: string;
  /** Catalog interface for compute and image: `public` (default), `internal` or `admin`. */
  computeInterface?: string;
  /** Per-request deadline (the provider's `api-timeout`); default 60 s. */
  apiTimeoutMs?: number;
  /** Default "2.37", the first that accepts `networks: "none"`. */
  computeMicroversion?: string;
  onCall?: CloudCallHook;
}

export interface OpenStackProvider extends CloudProvider {
  /** How many Keystone tokens this client has obtained so far. */
  readonly tokensIssued: number;
}

type Link = { rel: string; href: string };

/**
 * A CloudProvider talking to Keystone v3, Nova and Glance v2 over HTTP.
 *
 * @example
 * const cloud = createOpenStackProvider(
 *   { authUrl: 'http://keystone:5000/v3', username: 'nodepool', password, projectName: 'ci' },
 *   log,
 * );
 * const flavors = await cloud.listFlavors();
 */
export function createOpenStackProvider(options: OpenStackOptions, log: Logger): OpenStackProvider {
  const name = options.name ?? new URL(options.authUrl).host;
  const timeoutMs = options.apiTimeoutMs ?? 60_000;
  const keystone = new KeystoneSession(options, name, timeoutMs, log);
  const microversion = options.computeMicroversion ?? '2.37';
  const api = new ServiceSession({
    provider: name,
    keystone,
    interface: options.computeInterface ?? 'public',
    region: options.regionName,
    timeoutMs,
    computeMicroversion: microversion,
    log,
  });

  const timed = async <T>(operation: CloudOperation, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    let ok = false;
    try {
      const result = await work();
      ok = true;
      return result;
    } finally {
      reportCall(options.onCall, operation, performance.now() - started, ok, log);
    }
  };

  const pages = async <T>(
    path: string,
    key: string,
    marker: (body: Record<string, unknown>) => string | undefined,
    service: 'compute' | 'image' = 'compute',
    query: Record<string, string> = {},
  ): Promise<T[]> => {
    const all: T[] = [];
    let from: string | undefined;
    for (;;) {
      const body = await api.call<Record<string, unknown>>(service, 'GET', path, {
        query: { ...query, marker: from },
      });
      const items = (body?.[key] ?? []) as T[];
      all.push(...items);
      from = body ? marker(body) : undefined;
      if (from === undefined || items.length === 0) return all;
    }
  };

  return {
    name,

    get tokensIssued() {
      return keystone.issued;
    },

    listFlavors: () =>
      timed(CloudOperation.ListFlavors, async () => {
        const flavors = await pages<NovaFlavor>('/flavors/detail', 'flavors', (body) =>
          nextMarker(body.flavors_links as Link[] | undefined),
        );
        return flavors.map(toCloudFlavor);
      }),

    findImage: (nameOrId) =>
      timed(CloudOperation.GetImage, async () => findImage(nameOrId)),

    createServer: (spec) =>
      timed(CloudOperation.CreateServer, async () => {
        const body = await api.call<{ server: { id: string } }>('compute', 'POST', '/servers', {
          body: createServerBody(spec, microversion),
        });
        const id = body?.server?.id;
        if (typeof id !== 'string') {
          throw new WhiskpoolError(
            ErrorCode.CloudRequestRefused,
            `provider '${name}': Nova accepted server '${spec.name}' but sent no id`,
          );
        }
        log.info({ provider: name, server: id, serverName: spec.name }, 'server requested');
        return { id };
      }),

    getServer: (id) =>
      timed(CloudOperation.GetServer, async () => {
        try {
          const body = await api.call<{ server: NovaServer }>(
            'compute',
            'GET',
            `/servers/${encodeURIComponent(id)}`,
          );
          return body ? toCloudServer(body.server) : null;
        } catch (error) {
          if (isWhiskpoolError(error, ErrorCode.CloudNotFound)) return null;
          throw error;
        }
      }),

    listServers: () =>
      timed(CloudOperation.ListServers, async () => {
        const servers = await pages<NovaServer>('/servers/detail', 'servers', (body) =>
          nextMarker(body.servers_links as Link[] | undefined),
        );
        return servers.map(toCloudServer);
      }),

    deleteServer: (id) =>
      timed(CloudOperation.DeleteServer, async () => {
        try {
          await api.call('compute', 'DELETE', `/servers/${encodeURIComponent(id)}`);
          log.info({ provider: name, server: id }, 'server deletion requested');
        } catch (error) {
          if (!isWhiskpoolError(error, ErrorCode.CloudNotFound)) throw error;
        }
      }),

    getLimits: () =>
      timed(CloudOperation.GetLimits, async () => {
        const body = await api.call<{ limits?: { absolute?: Record<string, number> } }>(
          'compute',
          'GET',
          '/limits',
        );
        return toCloudLimits(body?.limits?.absolute ?? {});
      }),

    createImage: (serverId, imageName, metadata) =>
      timed(CloudOperation.CreateImage, async () => {
        const path = `/servers/${encodeURIComponent(serverId)}/action`;
        const { body, headers } = await api.exchangeJson('compute', 'POST', path, {
          body: { createImage: { name: imageName, metadata } },
        });
        const id = createdImageId(body, headers.get('location'));
        if (id === undefined) {
          throw new WhiskpoolError(
            ErrorCode.CloudRequestRefused,
            `provider '${name}': Nova accepted a snapshot of server ${serverId} ` +
              'but named no image',
          );
        }
        log.info({ provider: name, server: serverId, image: id, imageName }, 'snapshot requested');
        return { id };
      }),

    getImage: (id) => timed(CloudOperation.GetImage, async () => getImage(id)),

    deleteImage: (id) =>
      timed(CloudOperation.DeleteImage, async () => {
        try {
          await api.call('image', 'DELETE', `/v2/images/${encodeURIComponent(id)}`);
          log.info({ provider: name, image: id }, 'image deleted');
        } catch (error) {
          if (!isWhiskpoolError(error, ErrorCode.CloudNotFound)) throw error;
        }
      }),

    listImages: () =>
      timed(CloudOperation.ListImages, async () => {
        const images = await pages<GlanceImage>('/v2/images', 'images', (body) =>
          glanceNextMarker(body.next as string | undefined), 'image');
        return images.map(toCloudImage);
      }),
  } satisfies OpenStackProvider;

  async function getImage(id: string): Promise<CloudImage | null> {
    try {
      const image = await api.call<GlanceImage>(
        'image',
        'GET',
        `/v2/images/${encodeURIComponent(id)}`,
      );
      return image ? toCloudImage(image) : null;
    } catch (error) {
      if (isWhiskpoolError(error, ErrorCode.CloudNotFound)) return null;
      throw error;
    }
  }

  async function findImage(nameOrId: string): Promise<CloudImage | null> {
    if (isUuidShaped(nameOrId)) return getImage(nameOrId);

    const images = await pages<GlanceImage>(
      '/v2/images',
      'images',
      (body) => glanceNextMarker(body.next as string | undefined),
      'image',
      { name: nameOrId },
    );
    return newestActive(images.map(toCloudImage)) ?? null;
  }
}

/** A broken metrics hook must not turn a successful cloud call into a failure. */
function reportCall(
  hook: CloudCallHook | undefined,
  operation: CloudOperation,
  ms: number,
  ok: boolean,
  log: Logger,
): void {
  if (!hook) return;
  try {
    hook(operation, ms, ok);
  } catch (error) {
    log.warn({ err: error, operation }, 'onCall hook threw');
  }
}
