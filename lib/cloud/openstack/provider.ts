import type { z } from 'zod';

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
} from './glance.ts';
import { KeystoneSession, type KeystoneCredentials } from './keystone.ts';
import {
  createServerBody,
  nextMarker,
  toCloudFlavor,
  toCloudLimits,
  toCloudServer,
} from './nova.ts';
import { ServiceSession, type Service } from './session.ts';
import {
  flavorPage,
  imagePage,
  imageView,
  limitsBody,
  networkList,
  readView,
  serverBody,
  serverPage,
} from './views.ts';

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

/** A thousand pages of a thousand servers: past that a cloud's paging is going round. */
const MAX_PAGES = 1000;

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

  /**
   * Every item of a paged list. A marker seen before, or more pages than any cloud has, means
   * the cloud's paging goes round in a circle; following it would never end.
   */
  const pages = async <P, T>(
    service: Service,
    path: string,
    schema: z.ZodType<P, z.ZodTypeDef, unknown>,
    read: (page: P) => { items: T[]; next: () => string | undefined },
    query: Record<string, string> = {},
  ): Promise<T[]> => {
    const context = { provider: name, service, method: 'GET', path };
    const all: T[] = [];
    const seen = new Set<string>();
    let from: string | undefined;
    for (;;) {
      const body = await api.call<unknown>(service, 'GET', path, {
        query: { ...query, marker: from },
      });
      if (body === undefined) return all;

      const page = read(readView(schema, body, context));
      all.push(...page.items);
      from = nextPage(page.next, context);
      if (from === undefined || page.items.length === 0) return all;
      if (seen.has(from) || seen.size >= MAX_PAGES) {
        throw new WhiskpoolError(
          ErrorCode.CloudUnavailable,
          `provider '${name}': ${service} GET ${path} kept paging ` +
            (seen.has(from) ? `back to marker '${from}'` : `past ${MAX_PAGES} pages`),
          { retryable: true },
        );
      }
      seen.add(from);
    }
  };

  return {
    name,

    get tokensIssued() {
      return keystone.issued;
    },

    listFlavors: () =>
      timed(CloudOperation.ListFlavors, async () => {
        const flavors = await pages('compute', '/flavors/detail', flavorPage, (page) => ({
          items: page.flavors,
          next: () => nextMarker(page.flavors_links),
        }));
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
          const path = `/servers/${encodeURIComponent(id)}`;
          const body = await api.call<unknown>('compute', 'GET', path);
          if (body === undefined) return null;
          const context = { provider: name, service: 'compute', method: 'GET', path };
          return toCloudServer(readView(serverBody, body, context).server);
        } catch (error) {
          if (isWhiskpoolError(error, ErrorCode.CloudNotFound)) return null;
          throw error;
        }
      }),

    listServers: () =>
      timed(CloudOperation.ListServers, async () => {
        const servers = await pages('compute', '/servers/detail', serverPage, (page) => ({
          items: page.servers,
          next: () => nextMarker(page.servers_links),
        }));
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
        const body = await api.call<unknown>('compute', 'GET', '/limits');
        const context = { provider: name, service: 'compute', method: 'GET', path: '/limits' };
        const limits = body === undefined ? undefined : readView(limitsBody, body, context);
        return toCloudLimits(limits?.limits?.absolute ?? {});
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
        const images = await pages('image', '/v2/images', imagePage, glancePage);
        return images.map(toCloudImage);
      }),

    findNetwork: (label) =>
      timed(CloudOperation.FindNetwork, async () => {
        const path = '/v2.0/networks';
        const body = await api.call<unknown>('network', 'GET', path, { query: { name: label } });
        const context = { provider: name, service: 'network', method: 'GET', path };
        // Neutron filters by name itself; the check below keeps a cloud that ignores the
        // filter from handing us some other network.
        const found = readView(networkList, body ?? {}, context).networks.filter(
          (network) => network.name === label,
        );
        if (found.length > 1) {
          throw new WhiskpoolError(
            ErrorCode.CloudRequestRefused,
            `provider '${name}': ${found.length} networks are named "${label}"; ` +
              'name it by net-id instead',
          );
        }
        return found[0] ? { id: found[0].id } : null;
      }),
  } satisfies OpenStackProvider;

  async function getImage(id: string): Promise<CloudImage | null> {
    try {
      const path = `/v2/images/${encodeURIComponent(id)}`;
      const image = await api.call<unknown>('image', 'GET', path);
      if (image === undefined) return null;
      const context = { provider: name, service: 'image', method: 'GET', path };
      return toCloudImage(readView(imageView, image, context));
    } catch (error) {
      if (isWhiskpoolError(error, ErrorCode.CloudNotFound)) return null;
      throw error;
    }
  }

  async function findImage(nameOrId: string): Promise<CloudImage | null> {
    if (isUuidShaped(nameOrId)) return getImage(nameOrId);

    const images = await pages('image', '/v2/images', imagePage, glancePage, {
      name: nameOrId,
    });
    return newestActive(images.map(toCloudImage)) ?? null;
  }
}

function glancePage(page: z.infer<typeof imagePage>) {
  return { items: page.images, next: () => glanceNextMarker(page.next) };
}

/** The marker of the next page; a link that is not a URL is the cloud's fault, said so. */
function nextPage(
  next: () => string | undefined,
  context: { provider: string; service: string; path: string },
): string | undefined {
  try {
    return next();
  } catch {
    throw new WhiskpoolError(
      ErrorCode.CloudUnavailable,
      `provider '${context.provider}': ${context.service} GET ${context.path} answered ` +
        'a next-page link that is not a URL',
      { retryable: true },
    );
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
