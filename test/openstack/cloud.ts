import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The environment variable naming the cloud.json that control-plane-up.sh writes. */
export const CONTROL_PLANE_VARIABLE = 'WHISKPOOL_OPENSTACK_CLOUD';

/** What control-plane-up.sh tells the tests about the real control plane it brought up. */
export interface ControlPlane {
  authUrl: string;
  regionName: string;
  /** Regions whose catalog offers compute and image. */
  regions: string[];
  username: string;
  password: string;
  projectName: string;
  projectId: string;
  userId: string;
  /** Another user of the same project, whose tokens a test revokes. */
  secondUser: { username: string; password: string; userId: string };
  /** The project and user the pool's end-to-end run works in, beside the contract's. */
  poolProject: { username: string; password: string; projectName: string; projectId: string };
  admin: { username: string; password: string; projectName: string };
  /** Keystone's token lifetime there. */
  tokenLifetimeMs: number;
  /** How long Nova and Glance trust a token they validated once. */
  tokenCacheMs: number;
  /** Three images of one name: an older active one, a newer active one, a newer queued one. */
  image: { name: string; newestActiveId: string; olderActiveId: string; queuedId: string };
}

/**
 * The real control plane named by WHISKPOOL_OPENSTACK_CLOUD, or a reason why the tests that
 * need it are skipped.
 */
export function controlPlane(): ControlPlane | { skip: string } {
  const path = process.env[CONTROL_PLANE_VARIABLE];
  if (!path) {
    return { skip: `no real OpenStack: ${CONTROL_PLANE_VARIABLE} is not set ` +
      '(npm run test:openstack sets it)' };
  }
  return JSON.parse(readFileSync(path, 'utf8')) as ControlPlane;
}

/** The operator calls the tests make as admin: a quota, a revocation. */
export class AdminApi {
  private token: { value: string; until: number } | undefined;
  /** Nova's fixed port on the control plane's host. */
  private readonly novaUrl: string;

  constructor(private readonly cloud: ControlPlane) {
    this.novaUrl = `http://${new URL(cloud.authUrl).hostname}:8774/v2.1`;
  }

  /** Sets the project's instance quota; -1 means unlimited. */
  async setInstanceQuota(max: number): Promise<void> {
    await this.call('PUT', `${this.novaUrl}/os-quota-sets/${this.cloud.projectId}`, {
      quota_set: { instances: max },
    });
  }

  /**
   * Makes the cloud refuse every token the user holds, as after a revocation: disabling a
   * user revokes all tokens issued to it until then. Resolves once Nova and Glance have
   * forgotten their cached validations and a new token would not count as revoked.
   */
  async revokeUserTokens(userId: string): Promise<void> {
    const url = `${this.cloud.authUrl}/users/${userId}`;
    await this.call('PATCH', url, { user: { enabled: false } });
    await this.call('PATCH', url, { user: { enabled: true } });
    // Keystone compares issue times in whole seconds: a token issued within the second of
    // the revocation would count as revoked too.
    await sleep(Math.max(this.cloud.tokenCacheMs, 1000) + 1000);
  }

  private async call(method: string, url: string, body?: unknown): Promise<unknown> {
    const response = await fetch(url, {
      method,
      headers: {
        'X-Auth-Token': await this.adminToken(),
        'Content-Type': 'application/json',
        'OpenStack-API-Version': 'compute 2.37',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`admin ${method} ${url} answered ${response.status}: ${text}`);
    }
    return text === '' ? undefined : JSON.parse(text);
  }

  private async adminToken(): Promise<string> {
    if (this.token && Date.now() < this.token.until) return this.token.value;

    const { admin } = this.cloud;
    const response = await fetch(`${this.cloud.authUrl}/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ auth: {
        identity: { methods: ['password'], password: { user: {
          name: admin.username, domain: { id: 'default' }, password: admin.password } } },
        scope: { project: { name: admin.projectName, domain: { id: 'default' } } },
      } }),
    });
    const value = response.headers.get('x-subject-token');
    if (response.status !== 201 || !value) {
      throw new Error(`Keystone refused the admin a token: ${response.status}`);
    }
    this.token = { value, until: Date.now() + this.cloud.tokenLifetimeMs / 2 };
    return value;
  }
}
