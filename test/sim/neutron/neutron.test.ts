import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startNodeProcess } from '../../../deploy/services/node-process.ts';
import { startNeutronSim, type NeutronSim } from '../../../sim/neutron/index.ts';
import { freePort } from '../../support/ports.ts';

const TOKEN = { 'X-Auth-Token': 'gAAAAAB-any-token' };

describe('the Neutron stand-in', () => {
  let sim: NeutronSim;
  before(async () => {
    sim = await startNeutronSim();
  });
  after(() => sim.close());

  async function get(path: string, headers: Record<string, string> = TOKEN) {
    const response = await fetch(`${sim.url}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  it('lists no ports for a server, as Nova asks when it shows or deletes one', async () => {
    const cases = [
      ['/v2.0/ports?device_id=6f2a9b3e&fields=id', 'ports'],
      ['/v2.0/ports.json?device_id=6f2a9b3e', 'ports'],
      ['/v2.0/networks?shared=true', 'networks'],
      ['/v2.0/security-groups?id=a&id=b', 'security_groups'],
      ['/v2.0/floatingips?port_id=p', 'floatingips'],
      ['/v2.0/extensions', 'extensions'],
    ] as const;
    for (const [path, key] of cases) {
      const { status, body } = await get(path);
      assert.equal(status, 200, path);
      assert.deepEqual(body, { [key]: [] }, path);
    }
  });

  it("answers Neutron's versions document and a project's quota", async () => {
    const versions = await get('/', {});
    assert.equal(versions.body.versions[0].id, 'v2.0');
    assert.match(versions.body.versions[0].links[0].href, /\/v2\.0\/$/);

    const quota = await get('/v2.0/quotas/0123456789abcdef');
    assert.equal(quota.status, 200);
    assert.ok(quota.body.quota.port > 0);
  });

  it("answers 404 with Neutron's error body for anything by id, and creates nothing",
    async () => {
      const port = await get('/v2.0/ports/9d0c1c5a');
      assert.equal(port.status, 404);
      assert.deepEqual(port.body, { NeutronError: { type: 'PortNotFound',
        message: 'Port 9d0c1c5a could not be found.', detail: '' } });

      const deleted = await fetch(`${sim.url}/v2.0/security-groups/sg1`, { method: 'DELETE',
        headers: TOKEN });
      assert.equal(deleted.status, 404);
      assert.equal(((await deleted.json()) as any).NeutronError.type, 'SecurityGroupNotFound');

      const created = await fetch(`${sim.url}/v2.0/ports`, { method: 'POST', headers: TOKEN,
        body: JSON.stringify({ port: { network_id: 'n1' } }) });
      assert.equal(created.status, 404);
      assert.equal(((await created.json()) as any).NeutronError.type, 'NetworkNotFound');
    });

  it('refuses a request without a token, as keystonemiddleware would', async () => {
    const { status, body } = await get('/v2.0/ports', {});
    assert.equal(status, 401);
    assert.equal(body.error.code, 401);
  });

  it('records what it was asked, for tests to see what Nova needed', async () => {
    await get('/v2.0/ports?device_id=recorded');
    const recorded = sim.requests().at(-1);
    assert.deepEqual(recorded, { method: 'GET', path: '/v2.0/ports',
      query: '?device_id=recorded', status: 200 });

    const { body } = await get('/_sim/requests', {});
    assert.deepEqual(body.requests.at(-1), recorded);
  });
});

describe('the Neutron stand-in as a process', () => {
  it('says where it listens, answers there, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = await startNodeProcess({
      name: 'neutron',
      script: 'sim/neutron/main.ts',
      args: ['--port', String(port)],
      logFile: join(mkdtempSync(join(tmpdir(), 'whiskpool-neutron-')), 'neutron.log'),
    });
    try {
      assert.deepEqual(child.ready, { listening: { url: `http://127.0.0.1:${port}`, port } });
      const response = await fetch(`http://127.0.0.1:${port}/v2.0/ports`, { headers: TOKEN });
      assert.deepEqual(await response.json(), { ports: [] });
    } finally {
      await child.stop();
    }
    assert.equal(child.process.exitCode, 0);
  });
});
