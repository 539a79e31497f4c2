import type { Reply } from './support/http-stand-in.ts';

/**
 * Broken answers from Keystone, Nova and Glance. Each is given to the OpenStack client, which
 * must fail the call with `code` and a message holding every `mentions` entry.
 */
export type CloudCall =
  | 'listServers'
  | 'getServer'
  | 'listFlavors'
  | 'findImage'
  | 'listImages'
  | 'getLimits'
  | 'createServer';

export interface CloudCase {
  name: string;
  /** The token request's answer; `base` is the stand-in's URL. Default: a good token. */
  token?: (base: string) => Reply;
  /** Every other request's answer. Default: 404. */
  reply?: (method: string, path: string) => Reply;
  call: CloudCall;
  code: string;
  mentions: string[];
}

/** Keystone v3's catalog with compute and image on the stand-in. */
export function catalog(base: string) {
  return [
    {
      type: 'compute',
      name: 'nova',
      endpoints: [{ interface: 'public', region_id: 'RegionOne', url: `${base}/compute/v2.1` }],
    },
    {
      type: 'image',
      name: 'glance',
      endpoints: [{ interface: 'public', region_id: 'RegionOne', url: `${base}/image` }],
    },
  ];
}

export function goodToken(base: string, body: unknown = { token: { catalog: catalog(base) } }) {
  return { status: 201, headers: { 'x-subject-token': 'corpus-token' }, body };
}

const withToken = (token: unknown) => (base: string) => goodToken(base, token);
const answer = (reply: Reply) => () => reply;

const SERVER = { id: 'a1', name: 'n1', status: 'ACTIVE', created: '2015-12-08T12:00:00Z' };
const UNAVAILABLE = 'WP_CLOUD_UNAVAILABLE';

export const CLOUD_CASES: CloudCase[] = [
  {
    name: 'a token without X-Subject-Token',
    token: (base) => ({ status: 201, body: { token: { catalog: catalog(base) } } }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['Keystone at', 'no X-Subject-Token header'],
  },
  {
    name: 'a token whose body is an HTML page',
    token: () => ({ status: 201, headers: { 'x-subject-token': 't' }, body: '<html>hi</html>' }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['without a usable token: the body is not JSON'],
  },
  {
    name: 'a token body without a token',
    token: withToken({ error: 'none' }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['token: Required'],
  },
  {
    name: 'a catalog that is a string',
    token: withToken({ token: { catalog: 'compute' } }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['token.catalog: Expected array'],
  },
  {
    name: 'a catalog entry that is null',
    token: withToken({ token: { catalog: [null] } }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['token.catalog.0: Expected object'],
  },
  {
    name: 'endpoints that are not a list',
    token: withToken({ token: { catalog: [{ type: 'compute', endpoints: 'x' }] } }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['token.catalog.0.endpoints: Expected array'],
  },
  {
    name: 'an endpoint URL that is a number',
    token: withToken({
      token: { catalog: [{ type: 'compute', endpoints: [{ interface: 'public', url: 5 }] }] },
    }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['endpoints.0.url: Expected string'],
  },
  {
    name: 'a catalog without compute',
    token: (base) => goodToken(base, { token: { catalog: catalog(base).slice(1) } }),
    call: 'listServers',
    code: 'WP_CLOUD_REQUEST_REFUSED',
    mentions: ["no 'compute' service in the catalog (types: image)"],
  },
  {
    name: 'a catalog with compute only in another region',
    token: (base) =>
      goodToken(base, {
        token: {
          catalog: [
            {
              type: 'compute',
              endpoints: [{ interface: 'public', region_id: 'RegionTwo', url: `${base}/c` }],
            },
          ],
        },
      }),
    call: 'listServers',
    code: 'WP_CLOUD_REQUEST_REFUSED',
    mentions: ["no public 'compute' endpoint in region 'RegionOne'", 'public@RegionTwo'],
  },
  {
    name: 'Keystone answering 500 with an HTML page',
    token: () => ({ status: 500, body: '<html><h1>Internal Server Error</h1></html>' }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['answered 500', 'Internal Server Error'],
  },
  {
    name: 'Keystone refusing the password',
    token: () => ({ status: 401, body: { error: { message: 'The request you have made...' } } }),
    call: 'listServers',
    code: 'WP_CLOUD_AUTH_FAILED',
    mentions: ['refused the credentials', "user 'corpus-user'"],
  },
  {
    name: 'a server list that is an HTML page',
    reply: answer({ body: '<html><body>Proxy error</body></html>' }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['GET /servers/detail answered 200 with a body that is not JSON'],
  },
  {
    name: 'a server list cut in the middle',
    reply: answer({ body: '{"servers": [{"id": "a1", "na' }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['not JSON'],
  },
  {
    name: 'servers that are a string',
    reply: answer({ body: { servers: 'abc' } }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['/servers/detail answered with unexpected JSON', 'servers: Expected array'],
  },
  {
    name: 'servers that are null',
    reply: answer({ body: { servers: null } }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['servers: Expected array, received null'],
  },
  {
    name: 'no servers key at all',
    reply: answer({ body: { instances: [] } }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['servers: Required'],
  },
  {
    name: 'a server that is null',
    reply: answer({ body: { servers: [null] } }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['servers.0: Expected object, received null'],
  },
  {
    name: 'a server without an id',
    reply: answer({ body: { servers: [{ ...SERVER, id: undefined }] } }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['servers.0.id: Required'],
  },
  {
    name: 'a server with an empty status',
    reply: answer({ body: { servers: [{ ...SERVER, status: '' }] } }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['servers.0.status'],
  },
  {
    name: 'server links that are a string',
    reply: answer({ body: { servers: [SERVER], servers_links: 'next' } }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['servers_links: Expected array'],
  },
  {
    name: 'a next link that is not a URL',
    reply: answer({
      body: { servers: [SERVER], servers_links: [{ rel: 'next', href: 'http://[broken' }] },
    }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['next-page link that is not a URL'],
  },
  {
    name: 'paging that returns to the same marker forever',
    reply: answer({
      body: {
        servers: [SERVER],
        servers_links: [{ rel: 'next', href: 'http://x/servers/detail?marker=a1' }],
      },
    }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ["kept paging back to marker 'a1'"],
  },
  {
    name: 'a server list of 40 MiB',
    reply: answer({ streamBytes: 40 * 1024 * 1024 }),
    call: 'listServers',
    code: UNAVAILABLE,
    mentions: ['larger than the 33554432 bytes allowed'],
  },
  {
    name: 'a server body that is a list',
    reply: answer({ body: [SERVER] }),
    call: 'getServer',
    code: UNAVAILABLE,
    mentions: ['body: Expected object, received array'],
  },
  {
    name: 'a server body holding null',
    reply: answer({ body: { server: null } }),
    call: 'getServer',
    code: UNAVAILABLE,
    mentions: ['server: Expected object, received null'],
  },
  {
    name: 'addresses of a network that are a string',
    reply: answer({ body: { server: { ...SERVER, addresses: { public: '198.51.100.7' } } } }),
    call: 'getServer',
    code: UNAVAILABLE,
    mentions: ['server.addresses.public: Expected array'],
  },
  {
    name: 'an address whose addr is a number',
    reply: answer({
      body: { server: { ...SERVER, addresses: { public: [{ addr: 7, version: 4 }] } } },
    }),
    call: 'getServer',
    code: UNAVAILABLE,
    mentions: ['server.addresses.public.0.addr'],
  },
  {
    name: 'metadata that is a string',
    reply: answer({ body: { server: { ...SERVER, metadata: 'whiskpool-pool=x' } } }),
    call: 'getServer',
    code: UNAVAILABLE,
    mentions: ['server.metadata: Expected object'],
  },
  {
    name: 'a metadata value that is a number',
    reply: answer({ body: { server: { ...SERVER, metadata: { 'ssh-port': 2222 } } } }),
    call: 'getServer',
    code: UNAVAILABLE,
    mentions: ['server.metadata.ssh-port: Expected string'],
  },
  {
    name: 'a fault without a message',
    reply: answer({ body: { server: { ...SERVER, status: 'ERROR', fault: { code: 500 } } } }),
    call: 'getServer',
    code: UNAVAILABLE,
    mentions: ['server.fault.message: Required'],
  },
  {
    name: 'a 502 page from a proxy in front of Nova',
    reply: answer({ status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }),
    call: 'getServer',
    code: UNAVAILABLE,
    mentions: ['answered 502: 502 Bad Gateway'],
  },
  {
    name: 'flavors whose name is a number',
    reply: answer({ body: { flavors: [{ id: '1', name: 2, ram: 1, vcpus: 1, disk: 1 }] } }),
    call: 'listFlavors',
    code: UNAVAILABLE,
    mentions: ['flavors.0.name: Expected string'],
  },
  {
    name: 'a flavor whose ram is text',
    reply: answer({ body: { flavors: [{ id: '1', name: 'm1', ram: '8G', vcpus: 1, disk: 1 }] } }),
    call: 'listFlavors',
    code: UNAVAILABLE,
    mentions: ['flavors.0.ram: Expected number'],
  },
  {
    name: 'limits that are text',
    reply: answer({ body: { limits: { absolute: { maxTotalInstances: 'ten' } } } }),
    call: 'getLimits',
    code: UNAVAILABLE,
    mentions: ['limits.absolute.maxTotalInstances: Expected number'],
  },
  {
    name: 'limits that are a string',
    reply: answer({ body: { limits: 'unlimited' } }),
    call: 'getLimits',
    code: UNAVAILABLE,
    mentions: ['limits: Expected object'],
  },
  {
    name: 'images that are null',
    reply: answer({ body: { images: null } }),
    call: 'findImage',
    code: UNAVAILABLE,
    mentions: ['image GET /v2/images', 'images: Expected array'],
  },
  {
    name: 'an image whose id is a number',
    reply: answer({
      body: { images: [{ id: 5, name: 'x', status: 'active', created_at: '2015-12-08' }] },
    }),
    call: 'listImages',
    code: UNAVAILABLE,
    mentions: ['images.0.id: Expected string'],
  },
  {
    name: 'a created server without an id',
    reply: answer({ status: 202, body: { server: {} } }),
    call: 'createServer',
    code: 'WP_CLOUD_REQUEST_REFUSED',
    mentions: ["Nova accepted server 'corpus-node' but sent no id"],
  },
  {
    name: 'a quota refusal in a 403',
    reply: answer({
      status: 403,
      body: { forbidden: { message: 'Quota exceeded for instances: Requested 1, used 10' } },
    }),
    call: 'createServer',
    code: 'WP_QUOTA_EXCEEDED',
    mentions: ['answered 403', 'Quota exceeded for instances'],
  },
];
