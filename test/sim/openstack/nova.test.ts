import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { startOpenStackSim, type OpenStackSim } from '../../../sim/openstack/index.ts';
import { RawApi, until } from './raw-api.ts';

function sample(name: string): any {
  const url = new URL(`../../../../shared/data/openstack-api/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8'));
}

describe('OpenStack stand-in: Nova', () => {
  let sim: OpenStackSim;
  let api: RawApi;
  before(async () => {
    sim = await startOpenStackSim({ bootDelayMs: 100, deleteDelayMs: 100, maxInstances: 2,
      novaPageSize: 2 });
    api = new RawApi(sim);
  });
  afterEach(async () => {
    sim.clearFaults();
    for (const server of sim.state().servers) await api.nova('DELETE', `/servers/${server.id}`);
    await until('servers gone', () => (sim.state().servers.length === 0 ? true : undefined));
  });
  after(() => sim.close());

  it('boots a server in BUILD and makes it ACTIVE after the boot delay', async () => {
    const created = await api.createServer({ metadata: { role: 'test' } });
    assert.equal(created.status, 202);
    const id = created.body.server.id;

    const building = await api.nova('GET', `/servers/${id}`);
    assert.equal(building.body.server.status, 'BUILD');
    assert.deepEqual(building.body.server.addresses, {});

    const active = await until('ACTIVE', async () => {
      const shown = await api.nova('GET', `/servers/${id}`);
      return shown.body.server.status === 'ACTIVE' ? shown.body.server : undefined;
    });
    assert.equal(active.addresses.public[0].addr, '127.0.0.1');
    assert.equal(active.metadata.role, 'test');
    assert.match(active.metadata['ssh-port'], /^\d+$/);

    const history = sim.state().history.find((h) => h.id === id);
    assert.ok(history?.activeAt !== undefined && history.activeAt - history.createdAt >= 90);
  });

  it("shows servers with every field of Nova's sample server", async () => {
    const { body } = await api.createServer();
    const shown = await api.nova('GET', `/servers/${body.server.id}`);
    const wanted = Object.keys(sample('nova_2015-10_all_extensions_server-get-resp.json').server);

    for (const key of wanted) assert.ok(key in shown.body.server, `server view lacks ${key}`);
  });

  it("lists flavors and limits with the fields of Nova's samples", async () => {
    const flavors = await api.nova('GET', '/flavors/detail');
    const flavorKeys = Object.keys(sample('nova_2015-10_flavors_flavors-detail-resp.json')
      .flavors[0]);
    for (const key of flavorKeys) assert.ok(key in flavors.body.flavors[0], `flavor lacks ${key}`);

    const limits = await api.nova('GET', '/limits');
    const limitKeys = Object.keys(sample('nova_2015-10_limits_v2-limit-get-resp.json')
      .limits.absolute).filter((key) => !/FloatingIps|SecurityGroup/.test(key));
    for (const key of [...limitKeys, 'totalInstancesUsed']) {
      assert.ok(key in limits.body.limits.absolute, `limits lack ${key}`);
    }
  });

  it("enforces maxTotalInstances with Nova's 403 over-quota body", async () => {
    assert.equal((await api.createServer()).status, 202);
    assert.equal((await api.createServer()).status, 202);

    const refused = await api.createServer();
    assert.equal(refused.status, 403);
    assert.equal(refused.body.forbidden.code, 403);
    assert.equal(refused.body.forbidden.message,
      'Quota exceeded for instances: Requested 1, but already used 2 of 2 instances');

    const limits = await api.nova('GET', '/limits');
    assert.equal(limits.body.limits.absolute.maxTotalInstances, 2);
    assert.equal(limits.body.limits.absolute.totalInstancesUsed, 2);
    assert.equal(sim.state().peakServers, 2);
  });

  it('keeps a deleted server, task_state deleting, until the delete delay is over', async () => {
    const { body } = await api.createServer();
    const id = body.server.id;
    const before = sim.state().everCreated;

    assert.equal((await api.nova('DELETE', `/servers/${id}`)).status, 204);
    const deleting = await api.nova('GET', `/servers/${id}`);
    assert.equal(deleting.body.server['OS-EXT-STS:task_state'], 'deleting');

    const gone = await until('404', async () => {
      const shown = await api.nova('GET', `/servers/${id}`);
      return shown.status === 404 ? shown : undefined;
    });
    assert.match(gone.body.itemNotFound.message, /could not be found/);
    assert.equal(sim.state().everCreated, before, 'deleting creates nothing');
    assert.ok(sim.state().history.find((h) => h.id === id)?.deletedAt);
  });

  it('pages server lists with a next link carrying a marker', async () => {
    sim.setSettings({ maxInstances: 3 });
    try {
      const ids = [];
      for (let i = 0; i < 3; i += 1) ids.push((await api.createServer()).body.server.id);

      const first = await api.nova('GET', '/servers/detail');
      assert.equal(first.body.servers.length, 2);
      const next = new URL(first.body.servers_links[0].href);
      const second = await api.nova('GET', `/servers/detail${next.search}`);
      assert.equal(second.body.servers.length, 1);
      assert.equal(second.body.servers_links, undefined);

      const seen = [...first.body.servers, ...second.body.servers].map((s: any) => s.id);
      assert.deepEqual(seen.sort(), ids.sort());
    } finally {
      sim.setSettings({ maxInstances: 2 });
    }
  });

  const versions = [
    { name: '2.37 without networks is refused', version: '2.37', extra: { networks: undefined },
      status: 400 },
    { name: '2.37 with networks none boots', version: '2.37', extra: {}, status: 202 },
    { name: '2.1 without networks boots', version: '2.1', extra: { networks: undefined },
      status: 202 },
    { name: '2.1 with networks none is refused', version: '2.1', extra: {}, status: 400 },
    { name: 'an unknown network is refused', version: '2.37',
      extra: { networks: [{ uuid: 'no-such-net' }] }, status: 400 },
    { name: 'an unknown availability zone is refused', version: '2.37',
      extra: { availability_zone: 'mars' }, status: 400 },
    { name: 'an unknown flavor is refused', version: '2.37', extra: { flavorRef: '99' },
      status: 400 },
    { name: 'metadata values over 255 characters are refused', version: '2.37',
      extra: { metadata: { long: 'x'.repeat(256) } }, status: 400 },
    { name: 'an unsupported microversion is not acceptable', version: '3.0', extra: {},
      status: 406 },
  ];
  for (const c of versions) {
    it(`server create: ${c.name}`, async () => {
      const response = await api.createServer(c.extra, c.version);
      assert.equal(response.status, c.status, response.text);
    });
  }

  it('reads and changes server metadata by item and as a whole', async () => {
    const { body } = await api.createServer({ metadata: { a: '1' } });
    const path = `/servers/${body.server.id}/metadata`;

    await api.nova('POST', path, { metadata: { b: '2' } });
    assert.deepEqual((await api.nova('GET', `${path}/b`)).body, { meta: { b: '2' } });
    assert.equal((await api.nova('DELETE', `${path}/a`)).status, 204);

    const all = await api.nova('GET', path);
    assert.equal(all.body.metadata.a, undefined);
    assert.equal(all.body.metadata.b, '2');
  });

  it('lists availability zones', async () => {
    const zones = await api.nova('GET', '/os-availability-zone');
    assert.deepEqual(zones.body.availabilityZoneInfo.map((z: any) => z.zoneName), ['nova']);
  });
});
