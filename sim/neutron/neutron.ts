import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from '../../lib/log.ts';

/**
 * The collections Nova reads while it shows, lists and deletes servers, with the key each
 * list answer carries. Nova Zed asks for the ports of a server (its security groups in the
 * server view, its network info and deallocation on delete) even when it was booted with
 * `networks: none`, and for the extensions before deciding which calls to make.
 */
const COLLECTIONS: Record<string, { key: string; notFound: string }> = {
  ports: { key: 'ports', notFound: 'Port' },
  networks: { key: 'networks', notFound: 'Network' },
  subnets: { key: 'subnets', notFound: 'Subnet' },
  subnetpools: { key: 'subnetpools', notFound: 'SubnetPool' },
  'security-groups': { key: 'security_groups', notFound: 'SecurityGroup' },
  'security-group-rules': { key: 'security_group_rules', notFound: 'SecurityGroupRule' },
  floatingips: { key: 'floatingips', notFound: 'FloatingIP' },
  routers: { key: 'routers', notFound: 'Router' },
  trunks: { key: 'trunks', notFound: 'Trunk' },
  segments: { key: 'segments', notFound: 'Segment' },
  'qos/policies': { key: 'policies', notFound: 'QosPolicy' },
};

/** What the default project may hold, as Neutron's quota API reports it. */
const QUOTA = {
  network: 100,
  subnet: 100,
  subnetpool: -1,
  port: 500,
  router: 10,
  floatingip: 50,
  security_group: 10,
  security_group_rule: 100,
};

/** The stand-in may run for a whole CI job; only the latest requests are kept. */
const MAX_RECORDED = 10_000;

export interface NeutronRequest {
  method: string;
  /** Path without the `.json` suffix older clients add, e.g. `/v2.0/ports`. */
  path: string;
  query: string;
  status: number;
}

export interface NeutronSim {
  readonly url: string;
  readonly port: number;
  /** The requests answered so far (the latest 10 000), in order. */
  requests(): NeutronRequest[];
  close(): Promise<void>;
}

export interface NeutronSimOptions {
  /** Default 0: the kernel picks. Always on 127.0.0.1. */
  port?: number;
  log?: Logger;
}

/**
 * A stand-in for the Neutron v2.0 API in which no network, port or security group exists:
 * enough for Nova with servers booted with `networks: none`, where Nova still asks Neutron
 * about a server's ports when it shows or deletes it. Tokens are required but not checked,
 * since only Keystone could check them.
 */
export async function startNeutronSim(options: NeutronSimOptions = {}): Promise<NeutronSim> {
  const answered: NeutronRequest[] = [];
  const http = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\.json$/, '').replace(/\/+$/, '') || '/';

    if (request.method === 'GET' && path === '/_sim/requests') {
      send(response, 200, { requests: answered });
      return;
    }

    const reply = route(request, path, `http://${request.headers.host ?? '127.0.0.1'}`);
    const entry = { method: request.method ?? 'GET', path, query: url.search,
      status: reply.status };
    answered.push(entry);
    if (answered.length > MAX_RECORDED) answered.shift();
    options.log?.info(entry, 'neutron request');
    request.resume();
    send(response, reply.status, reply.body);
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => answered.map((entry) => ({ ...entry })),
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

interface Reply {
  status: number;
  body?: unknown;
}

function route(request: IncomingMessage, path: string, origin: string): Reply {
  const method = request.method ?? 'GET';
  if (path === '/' && method === 'GET') {
    return {
      status: 200,
      body: {
        versions: [
          { id: 'v2.0', status: 'CURRENT', links: [{ href: `${origin}/v2.0/`, rel: 'self' }] },
        ],
      },
    };
  }
  if (!path.startsWith('/v2.0')) {
    return notFound('HTTPNotFound', 'The resource could not be found.');
  }

  // keystonemiddleware answers before Neutron sees a request without a token.
  if (typeof request.headers['x-auth-token'] !== 'string') {
    return { status: 401, body: { error: { code: 401, title: 'Unauthorized',
      message: 'The request you have made requires authentication.' } } };
  }

  const resource = path.slice('/v2.0'.length).replace(/^\//, '');
  if (resource === '') {
    return { status: 200, body: { resources: Object.keys(COLLECTIONS).map((name) => ({
      name, collection: name, links: [{ href: `${origin}/v2.0/${name}`, rel: 'self' }] })) } };
  }
  if (resource === 'extensions' && method === 'GET') {
    return { status: 200, body: { extensions: [] } };
  }

  const quota = /^quotas\/([^/]+)$/.exec(resource);
  if (quota && method === 'GET') return { status: 200, body: { quota: QUOTA } };

  const collectionName = Object.keys(COLLECTIONS).find(
    (name) => resource === name || resource.startsWith(`${name}/`),
  );
  const collection = collectionName === undefined ? undefined : COLLECTIONS[collectionName];
  if (collectionName === undefined || collection === undefined) {
    return notFound('HTTPNotFound', 'The resource could not be found.');
  }

  const id = resource.slice(collectionName.length + 1);
  if (id === '') {
    if (method === 'GET') return { status: 200, body: { [collection.key]: [] } };
    // Creating anything needs a network, and there is none.
    if (method === 'POST') return notFound('NetworkNotFound', 'Network could not be found.');
    return { status: 405, body: { NeutronError: { type: 'HTTPMethodNotAllowed',
      message: `Method ${method} is not allowed on ${collectionName}.`, detail: '' } } };
  }
  return notFound(`${collection.notFound}NotFound`,
    `${collection.notFound} ${decodeURIComponent(id)} could not be found.`);
}

/** Neutron's error body. */
function notFound(type: string, message: string): Reply {
  return { status: 404, body: { NeutronError: { type, message, detail: '' } } };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}
