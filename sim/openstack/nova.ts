import type { ServerResponse } from 'node:http';
import type { FaultSwitch } from './faults.ts';
import {
  HttpFailure,
  isRecord,
  novaFailure,
  readJson,
  sendEmpty,
  sendJson,
  type SimRequest,
} from './http.ts';
import { flavorView, serverLinks, serverView } from './nova-views.ts';
import type { ResolvedOptions } from './options.ts';
import type { NewServer, ServerFleet, SimServer } from './servers.ts';
import type { Snapshots } from './snapshots.ts';

const MIN_VERSION = [2, 1] as const;
/** Zed's, the release whose Nova the stand-in is checked against. */
const MAX_VERSION = [2, 93] as const;

/** Nova compute API v2.1 over the simulated fleet. */
export class Nova {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly fleet: ServerFleet,
    private readonly faults: FaultSwitch,
    private readonly userId: string,
    private readonly snapshots: Snapshots,
  ) {}

  async handle(request: SimRequest, response: ServerResponse): Promise<void> {
    // Nova names the version it answers with on every answer, errors included; a version it
    // refuses is named as it was asked for.
    const asked = askedVersion(request);
    const named = asked === undefined ? MIN_VERSION.join('.') : asked;
    const headers = {
      'X-OpenStack-Nova-API-Version': named === 'latest' ? MAX_VERSION.join('.') : named,
      'OpenStack-API-Version': `compute ${named === 'latest' ? MAX_VERSION.join('.') : named}`,
      Vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
    };

    try {
      const version = microversion(asked);
      const injected = this.faults.fire('novaErrors');
      if (injected) {
        throw novaFailure(
          injected.status ?? 500,
          'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and ' +
            "attach the Nova API log if possible.\n<class 'oslo_db.exception.DBConnectionError'>",
        );
      }

      const reply = await this.route(request, version);
      if (reply.status === 204 || reply.body === undefined) {
        sendEmpty(response, reply.status, { ...headers, ...reply.headers });
      } else sendJson(response, reply.status, reply.body, { ...headers, ...reply.headers });
    } catch (error) {
      if (error instanceof HttpFailure) Object.assign(error.headers, headers, error.headers);
      throw error;
    }
  }

  private async route(request: SimRequest, version: readonly number[]): Promise<Reply> {
    const { method, path } = request;
    const parts = path.split('/').filter((part) => part !== '').map(decodeURIComponent);
    const [first, second, third, fourth] = parts;

    if (parts.length === 0 && method === 'GET') return ok({ version: versionDocument(request) });
    if (first === 'servers') {
      if (parts.length === 1 && method === 'GET') return this.list(request, false, version);
      if (second === 'detail' && parts.length === 2 && method === 'GET') {
        return this.list(request, true, version);
      }
      if (parts.length === 1 && method === 'POST') return this.create(request, version);
      if (second !== undefined && parts.length === 2) {
        if (method === 'GET') {
          return ok({ server: this.view(this.find(second), request, version) });
        }
        if (method === 'DELETE') return this.remove(this.find(second));
      }
      if (second !== undefined && third === 'metadata') {
        return this.metadata(request, this.find(second), fourth);
      }
      if (second !== undefined && third === 'action' && parts.length === 3 && method === 'POST') {
        return this.action(request, this.find(second), version);
      }
    }
    if (first === 'flavors' && method === 'GET') return this.flavors(request, second);
    if (first === 'limits' && parts.length === 1 && method === 'GET') return ok(this.limits());
    if (first === 'os-availability-zone' && method === 'GET') {
      return ok({
        availabilityZoneInfo: this.options.availabilityZones.map((zoneName) => ({
          zoneName,
          zoneState: { available: true },
          hosts: null,
        })),
      });
    }
    throw novaFailure(404, 'The resource could not be found.');
  }

  private list(request: SimRequest, detail: boolean, version: readonly number[]): Reply {
    const status = request.query.get('status')?.toUpperCase();
    const name = request.query.get('name');
    const nameMatch = name ? namePattern(name) : undefined;
    const all = [...this.fleet.servers.values()]
      .filter((server) => status === undefined || server.status === status)
      .filter((server) => nameMatch === undefined || nameMatch.test(server.name))
      .reverse();

    const page = paginate(all, request, this.options.novaPageSize, (server) => server.id);
    const servers = page.items.map((server) =>
      detail ? this.view(server, request, version) : { id: server.id, name: server.name,
        links: serverLinks(server.id, request.base) },
    );
    const body: Record<string, unknown> = { servers };
    if (page.nextMarker !== undefined) {
      const path = detail ? 'servers/detail' : 'servers';
      const query = `limit=${page.limit}&marker=${page.nextMarker}`;
      body.servers_links = [{ rel: 'next', href: `${request.base}/${path}?${query}` }];
    }
    return ok(body);
  }

  private async create(request: SimRequest, version: readonly number[]): Promise<Reply> {
    const body = await readJson(request.raw, novaFailure(400, 'Malformed request body'));
    const spec = this.validateCreate(body, version);

    const overLimit = this.faults.fire('overLimit');
    if (overLimit) {
      const status = overLimit.status ?? 403;
      const headers: Record<string, string> = {};
      if (status === 413 || overLimit.retryAfterSeconds !== undefined) {
        headers['Retry-After'] = String(overLimit.retryAfterSeconds ?? 0);
      }
      throw novaFailure(status, quotaMessage(this.fleet.servers.size, this.quota()), headers);
    }

    const max = this.quota();
    if (max >= 0 && this.fleet.servers.size + 1 > max) {
      throw novaFailure(403, quotaMessage(this.fleet.servers.size, max));
    }

    const server = await this.fleet.create(spec);
    this.options.log?.info({ server: server.id, name: server.name }, 'sim: server created');
    return {
      status: 202,
      body: {
        server: {
          id: server.id,
          links: serverLinks(server.id, request.base),
          adminPass: Math.random().toString(36).slice(2, 14),
          'OS-DCF:diskConfig': 'AUTO',
          security_groups: [{ name: 'default' }],
        },
      },
      headers: { Location: `${request.base}/servers/${server.id}` },
    };
  }

  private validateCreate(body: unknown, version: readonly number[]): NewServer {
    const server = isRecord(body) && isRecord(body.server) ? body.server : undefined;
    if (!server) throw badRequest("'server' is a required property");
    if (typeof server.name !== 'string' || server.name.trim() === '' || server.name.length > 255) {
      throw badRequest("Invalid input for field/attribute name. Value: must be 1 to 255 chars");
    }

    const imageRef = String(server.imageRef ?? '');
    const image = this.options.images.find((candidate) => candidate.id === imageRef);
    if (!image) throw badRequest('Can not find requested image');
    if (image.status !== 'active') throw badRequest(`Image ${imageRef} is not active.`);
    const flavor = this.options.flavors.find((f) => f.id === String(server.flavorRef ?? ''));
    if (!flavor) throw badRequest(`Flavor ${String(server.flavorRef ?? '')} could not be found.`);

    const metadata = validateMetadata(server.metadata);
    const zone = server.availability_zone;
    if (zone !== undefined && !this.options.availabilityZones.includes(String(zone))) {
      throw badRequest('The requested availability zone is not available');
    }

    return {
      name: server.name,
      imageId: imageRef,
      flavor,
      metadata,
      availabilityZone: zone === undefined ? (this.options.availabilityZones[0] ?? 'nova')
        : String(zone),
      networkNames: this.networkNames(server.networks, version, server),
      keyName: typeof server.key_name === 'string' ? server.key_name : null,
      configDrive: server.config_drive === true || server.config_drive === 'True',
    };
  }

  private networkNames(
    networks: unknown,
    version: readonly number[],
    server: Record<string, unknown>,
  ): string[] {
    const atLeast237 = compare(version, [2, 37]) >= 0;
    // Left to the cloud, a server gets its default network; `none` gets no network at all.
    const cloudsChoice = this.options.networks.slice(0, 1).map((network) => network.name);
    if (networks === undefined) {
      if (atLeast237) {
        throw badRequest('Invalid input for field/attribute server. ' +
          `Value: ${pythonRepr(server)}. 'networks' is a required property`);
      }
      return cloudsChoice;
    }
    if (networks === 'none' || networks === 'auto') {
      if (!atLeast237) {
        throw badRequest(`Invalid input for field/attribute networks. Value: ${networks}. ` +
          `'${networks}' is not of type 'array'`);
      }
      return networks === 'auto' ? cloudsChoice : [];
    }
    if (!Array.isArray(networks)) throw badRequest('Invalid input for field/attribute networks.');

    return networks.map((entry) => {
      const uuid = isRecord(entry) ? entry.uuid : undefined;
      const network = this.options.networks.find((n) => n.id === uuid);
      if (!network) throw badRequest(`Network ${String(uuid)} could not be found.`);
      return network.name;
    });
  }

  /** Server actions; of them the stand-in knows createImage (a snapshot). */
  private async action(
    request: SimRequest,
    server: SimServer,
    version: readonly number[],
  ): Promise<Reply> {
    const body = await readJson(request.raw, novaFailure(400, 'Malformed request body'));
    const createImage = isRecord(body) ? body.createImage : undefined;
    if (!isRecord(createImage)) {
      const name = isRecord(body) ? Object.keys(body)[0] : undefined;
      throw badRequest(`There is no such action: ${name ?? ''}`);
    }

    const name = createImage.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 255) {
      throw badRequest('Invalid input for field/attribute name. Value: must be 1 to 255 chars');
    }
    const metadata = validateMetadata(createImage.metadata);
    if (server.status !== 'ACTIVE') {
      throw novaFailure(409, `Cannot 'createImage' instance ${server.id} while it is in ` +
        `vm_state ${server.status === 'BUILD' ? 'building' : 'error'}`);
    }
    if (server.taskState !== null) {
      throw novaFailure(409, `Cannot 'createImage' instance ${server.id} while it is in ` +
        `task_state ${server.taskState}`);
    }

    const image = this.snapshots.create({
      server,
      name,
      metadata,
      projectId: this.options.projectId,
      projectName: this.options.projectName,
      userId: this.userId,
      userName: this.options.username,
    });
    this.options.log?.info({ server: server.id, image: image.id }, 'sim: snapshot started');

    // From 2.45 the id is in the body; before, only the Location header names the image, in
    // Nova's words: Glance's endpoint with the v1 path, whatever API version Glance speaks.
    if (compare(version, [2, 45]) >= 0) return { status: 202, body: { image_id: image.id } };
    const imageBase = request.base.replace(/\/compute\/v2\.1$/, '/image');
    return {
      status: 202,
      headers: { Location: `${imageBase}/images/${image.id}` },
    };
  }

  private remove(server: SimServer): Reply {
    const failure = this.faults.fire('deleteFailures');
    if (failure && (failure.mode ?? 'error') === 'error') {
      throw novaFailure(500, 'Unexpected API Error. Please report this at ' +
        "http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.");
    }
    this.fleet.requestDelete(server, failure !== undefined);
    return { status: 204 };
  }

  private async metadata(request: SimRequest, server: SimServer, key: string | undefined) {
    const { method } = request;
    if (key === undefined) {
      if (method === 'GET') return ok({ metadata: server.metadata });
      if (method !== 'POST' && method !== 'PUT') throw novaFailure(405, 'Method not allowed');

      const body = await readJson(request.raw, novaFailure(400, 'Malformed request body'));
      const given = validateMetadata(isRecord(body) ? body.metadata : undefined);
      server.metadata = method === 'PUT' ? given : { ...server.metadata, ...given };
      return ok({ metadata: server.metadata });
    }

    if (method === 'GET') {
      const value = server.metadata[key];
      if (value === undefined) throw novaFailure(404, 'Metadata item was not found');
      return ok({ meta: { [key]: value } });
    }
    if (method === 'PUT') {
      const body = await readJson(request.raw, novaFailure(400, 'Malformed request body'));
      const meta = validateMetadata(isRecord(body) ? body.meta : undefined);
      if (Object.keys(meta).length !== 1 || meta[key] === undefined) {
        throw badRequest('Request body and URI mismatch');
      }
      server.metadata = { ...server.metadata, ...meta };
      return ok({ meta });
    }
    if (method === 'DELETE') {
      if (server.metadata[key] === undefined) {
        throw novaFailure(404, 'Metadata item was not found');
      }
      delete server.metadata[key];
      return { status: 204 };
    }
    throw novaFailure(405, 'Method not allowed');
  }

  private flavors(request: SimRequest, which: string | undefined): Reply {
    const base = request.base;
    if (which === undefined || which === 'detail') {
      const detail = which === 'detail';
      return ok({ flavors: this.options.flavors.map((f) => flavorView(f, base, detail)) });
    }
    const flavor = this.options.flavors.find((f) => f.id === which);
    if (!flavor) throw novaFailure(404, `Flavor ${which} could not be found.`);
    return ok({ flavor: flavorView(flavor, base, true) });
  }

  private limits() {
    return {
      limits: {
        rate: [],
        absolute: {
          maxServerMeta: 128,
          maxPersonality: 5,
          maxPersonalitySize: 10240,
          maxImageMeta: 128,
          maxTotalKeypairs: 100,
          maxServerGroups: 10,
          maxServerGroupMembers: 10,
          maxTotalInstances: this.quota(),
          totalInstancesUsed: this.fleet.servers.size,
          maxTotalCores: this.options.maxCores,
          totalCoresUsed: this.fleet.coresUsed(),
          maxTotalRAMSize: this.options.maxRamMb,
          totalRAMUsed: this.fleet.ramUsed(),
          totalServerGroupsUsed: 0,
        },
      },
    };
  }

  private quota(): number {
    return this.options.maxInstances;
  }

  private find(id: string): SimServer {
    const server = this.fleet.servers.get(id);
    if (!server) throw novaFailure(404, `Instance ${id} could not be found.`);
    return server;
  }

  private view(server: SimServer, request: SimRequest, version: readonly number[]) {
    return serverView(server, request.base, this.options.projectId, this.userId, {
      description: compare(version, [2, 19]) >= 0,
      tags: compare(version, [2, 26]) >= 0,
    });
  }
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function badRequest(message: string) {
  return novaFailure(400, message);
}

/** Nova's words for an exhausted instance quota. */
function quotaMessage(used: number, allowed: number): string {
  return `Quota exceeded for instances: Requested 1, but already used ${used} of ` +
    `${allowed} instances`;
}

/** Nova treats the `name` filter as a regular expression. */
function namePattern(name: string): RegExp {
  try {
    return new RegExp(name);
  } catch {
    throw badRequest(`Invalid regular expression in name filter: ${name}`);
  }
}

/** Nova's JSON schema for metadata, with the words its validator uses. */
function validateMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    throw badRequest(`Invalid input for field/attribute metadata. Value: ${pythonRepr(value)}. ` +
      `${pythonRepr(value)} is not of type 'object'`);
  }

  const metadata: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!/^[a-zA-Z0-9-_:. ]{1,255}$/.test(key)) {
      throw badRequest(`Invalid input for field/attribute metadata. Value: ${pythonRepr(value)}. ` +
        `${pythonRepr(key)} does not match any of the regexes: '^[a-zA-Z0-9-_:. ]{1,255}$'`);
    }
    if (typeof item !== 'string') {
      throw badRequest(`Invalid input for field/attribute ${key}. Value: ${pythonRepr(item)}. ` +
        `${pythonRepr(item)} is not of type 'string'`);
    }
    if (item.length > 255) {
      throw badRequest(`Invalid input for field/attribute ${key}. Value: ${item}. ` +
        `${pythonRepr(item)} is too long`);
    }
    metadata[key] = item;
  }
  return metadata;
}

/** A JSON value as Python prints it, which is how Nova's validation messages quote values. */
function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value.replaceAll("'", "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (isRecord(value)) {
    const items = Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`);
    return `{${items.join(', ')}}`;
  }
  return String(value);
}

/** The microversion as the request's headers name it, if they do. */
function askedVersion(request: SimRequest): string | undefined {
  const modern = request.headers['openstack-api-version'];
  const legacy = request.headers['x-openstack-nova-api-version'];
  const fromModern = typeof modern === 'string'
    ? /(?:^|,)\s*compute\s+([\w.]+)/i.exec(modern)?.[1] : undefined;
  return fromModern ?? (typeof legacy === 'string' ? legacy.trim() : undefined);
}

/** The microversion to answer with; none asked for means the base version 2.1. */
function microversion(asked: string | undefined): readonly number[] {
  if (asked === undefined) return MIN_VERSION;
  if (asked === 'latest') return MAX_VERSION;

  const match = /^(\d+)\.(\d+)$/.exec(asked);
  const version = match ? [Number(match[1]), Number(match[2])] : undefined;
  if (!version || compare(version, MIN_VERSION) < 0 || compare(version, MAX_VERSION) > 0) {
    throw novaFailure(406, `Version ${asked} is not supported by the API. Minimum is ` +
      `${MIN_VERSION.join('.')} and maximum is ${MAX_VERSION.join('.')}.`);
  }
  return version;
}

function compare(a: readonly number[], b: readonly number[]): number {
  return (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0);
}

/** Marker paging as Nova and Glance do it: items after the marker, at most `limit` of them. */
export function paginate<T>(
  all: readonly T[],
  request: SimRequest,
  maxLimit: number,
  idOf: (item: T) => string,
  onBadMarker = (marker: string) => novaFailure(400, `marker [${marker}] not found`),
) {
  const asked = Number(request.query.get('limit') ?? maxLimit);
  const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, maxLimit) : maxLimit;

  const marker = request.query.get('marker');
  let start = 0;
  if (marker) {
    const at = all.findIndex((item) => idOf(item) === marker);
    if (at < 0) throw onBadMarker(marker);
    start = at + 1;
  }

  const items = all.slice(start, start + limit);
  const last = items.at(-1);
  const more = start + limit < all.length;
  return { items, limit, nextMarker: more && last !== undefined ? idOf(last) : undefined };
}

function versionDocument(request: SimRequest) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: MAX_VERSION.join('.'),
    min_version: MIN_VERSION.join('.'),
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${request.base}/` }],
    'media-types': [
      { base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' },
    ],
  };
}
