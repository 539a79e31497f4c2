import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startOpenStackSim, type OpenStackSim } from '../../../sim/openstack/index.ts';
import { origin, RawApi, request, until } from './raw-api.ts';

describe('OpenStack stand-in: failure injection', () => {
  let sim: OpenStackSim;
  let api: RawApi;
  before(async () => {
    sim = await startOpenStackSim({ maxInstances: 5 });
    api = new RawApi(sim);
  });
  afterEach(async () => {
    sim.clearFaults();
    for (const server of sim.state().servers) {
      await api.nova('DELETE', `/servers/${server.id}`);
    }
    await until('servers gone', () => (sim.state().servers.length === 0 ? true : undefined));
  });
  after(() => sim.close());

  it('answers the next N Nova calls with 500, then recovers', async () => {
    sim.failNova({ count: 2 });

    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await api.nova('GET', '/flavors')).status);
    assert.deepEqual(statuses, [500, 500, 200]);
  });

  it('fails Nova calls at a rate, with the status asked for', async () => {
    sim.failNova({ rate: 1, status: 503 });
    assert.equal((await api.nova('GET', '/flavors')).status, 503);

    sim.failNova({ rate: 0 });
    assert.equal((await api.nova('GET', '/flavors')).status, 200);
  });

  it('refuses creation as over limit with 413 and Retry-After', async () => {
    sim.overLimit({ count: 1, status: 413, retryAfterSeconds: 7 });

    const refused = await api.createServer();
    assert.equal(refused.status, 413);
    assert.equal(refused.headers.get('retry-after'), '7');
    assert.match(refused.body.overLimit.message, /^Quota exceeded for instances/);
    assert.equal((await api.createServer()).status, 202);
  });

  it('puts new servers in ERROR with a fault', async () => {
    sim.failBoots({ count: 1, message: 'No valid host was found. ' });

    const { body } = await api.createServer();
    const shown = await until('ERROR', async () => {
      const response = await api.nova('GET', `/servers/${body.server.id}`);
      return response.body.server.status === 'ERROR' ? response.body.server : undefined;
    });
    assert.equal(shown.fault.code, 500);
    assert.equal(shown.fault.message, 'No valid host was found. ');
    assert.ok(sim.state().history.find((h) => h.id === body.server.id)?.errorAt);
  });

  it('leaves servers stuck in BUILD', async () => {
    sim.stickInBuild({ count: 1 });

    const stuck = await api.createServer();
    const normal = await api.createServer();
    await until('the normal one ACTIVE', async () => {
      const r = await api.nova('GET', `/servers/${normal.body.server.id}`);
      return r.body.server.status === 'ACTIVE' ? true : undefined;
    });
    const shown = await api.nova('GET', `/servers/${stuck.body.server.id}`);
    assert.equal(shown.body.server.status, 'BUILD');
  });

  it('fails deletes with 500, or accepts them and never finishes', async () => {
    const { body } = await api.createServer();
    const path = `/servers/${body.server.id}`;

    sim.failDeletes({ count: 1, mode: 'error' });
    assert.equal((await api.nova('DELETE', path)).status, 500);
    assert.equal((await api.nova('GET', path)).body.server['OS-EXT-STS:task_state'], null);

    sim.failDeletes({ count: 1, mode: 'hang' });
    assert.equal((await api.nova('DELETE', path)).status, 204);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const hanging = await api.nova('GET', path);
    assert.equal(hanging.status, 200);
    assert.equal(hanging.body.server['OS-EXT-STS:task_state'], 'deleting');

    assert.equal((await api.nova('DELETE', path)).status, 204);
    assert.equal((await api.nova('GET', path)).status, 404, 'a retried delete finishes');
  });

  it('adds latency to every call', async () => {
    sim.setLatency(150);
    const started = Date.now();
    await api.nova('GET', '/flavors');
    assert.ok(Date.now() - started >= 140);
  });

  it('switches faults over HTTP and reports them in the state', async () => {
    const set = await request('POST', `${origin(sim)}/_sim/faults`, {
      novaErrors: { count: 1, status: 502 },
      latencyMs: 1,
    });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.novaErrors, { count: 1, status: 502 });

    assert.equal((await api.nova('GET', '/flavors')).status, 502);
    const state = await request('GET', `${origin(sim)}/_sim/state`);
    assert.equal(state.body.faults.novaErrors, undefined, 'a spent fault is gone');
    assert.equal(state.body.faults.latencyMs, 1);

    await request('DELETE', `${origin(sim)}/_sim/faults`);
    assert.deepEqual(sim.state().faults, {});
  });

  const badChanges = [
    { name: 'an unknown fault', body: { meteorStrike: {} }, reason: /unknown fault/ },
    { name: 'a negative latency', body: { latencyMs: -5 }, reason: /latencyMs/ },
    { name: 'a fault that is not an object', body: { novaErrors: 3 }, reason: /novaErrors/ },
    { name: 'a list', body: [1], reason: /JSON object/ },
  ];
  for (const c of badChanges) {
    it(`refuses ${c.name} over HTTP and changes nothing`, async () => {
      const response = await request('POST', `${origin(sim)}/_sim/faults`, c.body);
      assert.equal(response.status, 400);
      assert.match(response.body.error, c.reason);
      assert.deepEqual(sim.state().faults, {});
    });
  }
});
