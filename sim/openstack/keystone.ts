import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { isRecord, keystoneFailure, readJson, sendJson, type SimRequest } from './http.ts';
import type { ResolvedOptions } from './options.ts';

interface IssuedToken {
  expiresAt: number;
  projectId: string | undefined;
}

const DEFAULT_DOMAIN = { id: 'default', name: 'Default' };

/** Where each service lives, so the catalog can point back at this same HTTP server. */
export interface ServiceRoots {
  /** `http://127.0.0.1:PORT` */
  origin: string;
}

/**
 * Keystone v3 password authentication for the one configured user and project. Tokens are
 * opaque random strings that expire after the configured lifetime.
 */
export class Keystone {
  private readonly tokens = new Map<string, IssuedToken>();
  readonly userId = randomUUID().replaceAll('-', '');
  private issuedTotal = 0;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly roots: ServiceRoots,
  ) {}

  get tokensIssued(): number {
    return this.issuedTotal;
  }

  /** Makes every token issued so far invalid, as a Keystone restart with new keys would. */
  revokeAll(): void {
    this.tokens.clear();
  }

  /** A token that is known, unexpired and scoped to the project. */
  isValid(token: string | undefined): boolean {
    if (token === undefined) return false;
    const issued = this.tokens.get(token);
    if (!issued) return false;
    if (Date.now() >= issued.expiresAt) {
      this.tokens.delete(token);
      return false;
    }
    return issued.projectId !== undefined;
  }

  async handle(request: SimRequest, response: ServerResponse): Promise<void> {
    if (request.method === 'GET' && (request.path === '' || request.path === '/')) {
      sendJson(response, 200, { version: versionDocument(request.base) });
      return;
    }
    if (request.method !== 'POST' || request.path !== '/auth/tokens') {
      throw keystoneFailure(404, 'Not Found', 'The resource could not be found.');
    }

    const body = await readJson(
      request.raw,
      keystoneFailure(400, 'Bad Request', 'Expecting to find auth in request body.'),
    );
    const projectScope = this.authenticate(body);

    const now = Date.now();
    const expiresAt = now + this.options.tokenLifetimeMs;
    const token = `gAAAAAB${randomBytes(96).toString('base64url')}`;
    const projectId = projectScope ? this.options.projectId : undefined;
    this.tokens.set(token, { expiresAt, projectId });
    this.issuedTotal += 1;

    const tokenBody: Record<string, unknown> = {
      methods: ['password'],
      user: {
        domain: DEFAULT_DOMAIN,
        id: this.userId,
        name: this.options.username,
        password_expires_at: null,
      },
      audit_ids: [randomBytes(16).toString('base64url').slice(0, 22)],
      expires_at: keystoneTime(expiresAt),
      issued_at: keystoneTime(now),
      is_domain: false,
      // Keystone of 2016 still sent it, and the API reference samples show it.
      extras: {},
    };
    if (projectScope) {
      tokenBody.project = {
        domain: DEFAULT_DOMAIN,
        id: this.options.projectId,
        name: this.options.projectName,
      };
      tokenBody.roles = [{ id: 'member-role', name: 'member' }];
      tokenBody.catalog = this.catalog();
    }
    sendJson(response, 201, { token: tokenBody }, { 'X-Subject-Token': token });
  }

  /** Checks the credentials; true when the token is to be project-scoped. */
  private authenticate(body: unknown): boolean {
    const refused = keystoneFailure(
      401,
      'Unauthorized',
      'The request you have made requires authentication.',
    );
    refused.headers['WWW-Authenticate'] = `Keystone uri="${this.roots.origin}/identity/v3"`;
    const auth = isRecord(body) && isRecord(body.auth) ? body.auth : undefined;
    const identity = auth && isRecord(auth.identity) ? auth.identity : undefined;
    if (!auth || !identity) {
      throw keystoneFailure(400, 'Bad Request', 'Expecting to find identity in auth.');
    }

    const password = isRecord(identity.password) ? identity.password : undefined;
    const user = password && isRecord(password.user) ? password.user : undefined;
    if (!Array.isArray(identity.methods) || !identity.methods.includes('password') || !user) {
      throw refused;
    }
    const nameMatches = user.id === this.userId ||
      (user.name === this.options.username && isDefaultDomain(user.domain));
    if (!nameMatches || user.password !== this.options.password) throw refused;

    if (!isRecord(auth.scope)) return false;
    const project = isRecord(auth.scope.project) ? auth.scope.project : undefined;
    const projectMatches =
      project !== undefined &&
      (project.id === this.options.projectId ||
        (project.name === this.options.projectName && isDefaultDomain(project.domain)));
    if (!projectMatches) throw refused;
    return true;
  }

  private catalog(): unknown[] {
    const entries = [
      { type: 'identity', name: 'keystone', path: '/identity/v3' },
      { type: 'compute', name: 'nova', path: '/compute/v2.1' },
      { type: 'image', name: 'glance', path: '/image' },
      { type: 'network', name: 'neutron', path: '/network' },
    ];
    return entries.map((entry) => ({
      type: entry.type,
      name: entry.name,
      id: randomUUID().replaceAll('-', ''),
      endpoints: this.options.regions.flatMap((region) =>
        ['public', 'internal', 'admin'].map((face) => ({
          id: randomUUID().replaceAll('-', ''),
          interface: face,
          region,
          region_id: region,
          url: `${this.roots.origin}${endpointPrefix(this.options.regions, region, face)}` +
            entry.path,
        })),
      ),
    }));
  }
}

/**
 * The first region's public endpoints use the plain paths; every other region and interface
 * gets its own prefix, so a test can tell which endpoint a client picked.
 */
export function endpointPrefix(regions: readonly string[], region: string, face: string): string {
  if (region === regions[0] && face === 'public') return '';
  return `/endpoints/${encodeURIComponent(region)}/${face}`;
}

function isDefaultDomain(domain: unknown): boolean {
  if (!isRecord(domain)) return false;
  return domain.id === DEFAULT_DOMAIN.id || domain.name === DEFAULT_DOMAIN.name;
}

/** Keystone's timestamp form, with microseconds. */
function keystoneTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

function versionDocument(base: string): unknown {
  return {
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${base}/` }],
    'media-types': [
      { base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' },
    ],
  };
}
