import type { OpenStackSim } from '../../../sim/openstack/index.ts';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** Plain HTTP against the stand-in, to check its wire format without the product's client. */
export class RawApi {
  private token: string | undefined;

  constructor(private readonly sim: OpenStackSim) {}

  async authenticate(password = this.sim.password): Promise<RawResponse> {
    const response = await request('POST', `${this.sim.url}/auth/tokens`, {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: this.sim.username, domain: { name: 'Default' }, password },
          },
        },
        scope: { project: { name: this.sim.projectName, domain: { id: 'default' } } },
      },
    });
    if (response.status === 201) this.token = response.headers.get('x-subject-token') ?? undefined;
    return response;
  }

  async nova(method: string, path: string, body?: unknown, version = '2.37') {
    if (!this.token) await this.authenticate();
    return request(method, `${origin(this.sim)}/compute/v2.1${path}`, body, {
      'X-Auth-Token': this.token ?? '',
      'OpenStack-API-Version': `compute ${version}`,
    });
  }

  async glance(path: string) {
    if (!this.token) await this.authenticate();
    return request('GET', `${origin(this.sim)}/image${path}`, undefined, {
      'X-Auth-Token': this.token ?? '',
    });
  }

  async createServer(extra: Record<string, unknown> = {}, version = '2.37') {
    const images = await this.glance('/v2/images');
    return this.nova('POST', '/servers', {
      server: {
        name: 'sim-test',
        imageRef: images.body.images[0].id,
        flavorRef: '1',
        networks: 'auto',
        ...extra,
      },
    }, version);
  }
}

export function origin(sim: OpenStackSim): string {
  return `http://127.0.0.1:${sim.port}`;
}

export async function request(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const response = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
