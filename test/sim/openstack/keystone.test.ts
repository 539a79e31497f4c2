import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startOpenStackSim, type OpenStackSim } from '../../../sim/openstack/index.ts';
import { origin, RawApi, request } from './raw-api.ts';

function sample(name: string): any {
  const url = new URL(`../../../../shared/data/openstack-api/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8'));
}

describe('OpenStack stand-in: Keystone', () => {
  let sim: OpenStackSim;
  before(async () => {
    sim = await startOpenStackSim({ regions: ['RegionOne', 'RegionTwo'], tokenLifetimeMs: 300 });
  });
  after(() => sim.close());

  it('issues a project-scoped token in X-Subject-Token with the sample token fields', async () => {
    const response = await new RawApi(sim).authenticate();

    assert.equal(response.status, 201);
    assert.ok((response.headers.get('x-subject-token') ?? '').length > 20);
    const wanted = Object.keys(sample(
      'keystone_2016-12_v3_auth-password-project-scoped-response.json').token);
    for (const key of wanted) assert.ok(key in response.body.token, `token lacks ${key}`);
    assert.equal(response.body.token.project.name, sim.projectName);
    assert.equal(response.body.token.project.id, sim.projectId);
  });

  it('lists compute, image and identity for every region and interface, all on itself',
    async () => {
      const { body } = await new RawApi(sim).authenticate();
      const urls = new Set<string>();

      for (const type of ['compute', 'image', 'identity']) {
        const entry = body.token.catalog.find((e: { type: string }) => e.type === type);
        assert.ok(entry, `no ${type} in catalog`);
        assert.equal(entry.endpoints.length, 6);
        for (const endpoint of entry.endpoints) {
          assert.ok(endpoint.url.startsWith(origin(sim)), endpoint.url);
          urls.add(endpoint.url);
        }
      }
      assert.equal(urls.size, 18, 'every endpoint has its own URL');
    });

  it('refuses a wrong password with 401 and Keystone\'s error body', async () => {
    const response = await new RawApi(sim).authenticate('not-the-password');

    assert.equal(response.status, 401);
    assert.equal(response.body.error.code, 401);
    assert.equal(response.headers.get('x-subject-token'), null);
  });

  it('refuses a project the user has no access to', async () => {
    const response = await request('POST', `${sim.url}/auth/tokens`, {
      auth: {
        identity: { methods: ['password'], password: { user: {
          name: sim.username, domain: { id: 'default' }, password: sim.password } } },
        scope: { project: { id: 'someone-elses-project' } },
      },
    });
    assert.equal(response.status, 401);
  });

  it('answers Nova without a valid token with 401, and accepts a fresh one', async () => {
    const api = new RawApi(sim);
    const anonymous = await request('GET', `${origin(sim)}/compute/v2.1/flavors`);
    assert.equal(anonymous.status, 401);

    assert.equal((await api.nova('GET', '/flavors')).status, 200);
  });

  it('expires tokens after the configured lifetime', async () => {
    const api = new RawApi(sim);
    const issued = await api.authenticate();
    const expiresIn = Date.parse(issued.body.token.expires_at) - Date.now();
    assert.ok(expiresIn > 0 && expiresIn <= 300, `expires in ${expiresIn} ms`);

    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal((await api.nova('GET', '/flavors')).status, 401);
  });

  it('invalidates every token when asked to revoke them', async () => {
    const api = new RawApi(sim);
    assert.equal((await api.nova('GET', '/flavors')).status, 200);

    sim.revokeTokens();
    assert.equal((await api.nova('GET', '/flavors')).status, 401);
  });
});
