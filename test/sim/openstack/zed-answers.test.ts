import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startOpenStackSim, type OpenStackSim } from '../../../sim/openstack/index.ts';
import { RawApi, until } from './raw-api.ts';

/**
 * Answers of the Nova and Glance of OpenStack Zed (Debian 12's packages), recorded from the
 * real control plane that test/openstack/ brings up, which the stand-in must give too.
 */
describe("the OpenStack stand-in answers as Zed's Nova and Glance do", () => {
  let sim: OpenStackSim;
  let api: RawApi;
  let imageId: string;
  before(async () => {
    sim = await startOpenStackSim({ maxInstances: 1 });
    api = new RawApi(sim);
    imageId = sim.state().images[0]?.id ?? '';
  });
  after(() => sim.close());

  const refusals: { name: string; server: () => Record<string, unknown>; version: string;
    status: number; fault: string; message: string | (() => string) }[] = [
    {
      name: 'a flavor that does not exist',
      server: () => ({ flavorRef: '99' }),
      version: '2.37',
      status: 400,
      fault: 'badRequest',
      message: 'Flavor 99 could not be found.',
    },
    {
      name: "networks 'none' before 2.37",
      server: () => ({ networks: 'none' }),
      version: '2.1',
      status: 400,
      fault: 'badRequest',
      message: "Invalid input for field/attribute networks. Value: none. 'none' is not of type " +
        "'array'",
    },
    {
      name: 'no networks from 2.37',
      server: () => ({ networks: undefined }),
      version: '2.37',
      status: 400,
      fault: 'badRequest',
      message: () => "Invalid input for field/attribute server. Value: {'name': 'sim-test', " +
        `'imageRef': '${imageId}', 'flavorRef': '1'}. 'networks' is a required property`,
    },
    {
      name: 'a metadata value that is not a string',
      server: () => ({ metadata: { a: 1 } }),
      version: '2.37',
      status: 400,
      fault: 'badRequest',
      message: "Invalid input for field/attribute a. Value: 1. 1 is not of type 'string'",
    },
    {
      name: 'a metadata value past 255 characters',
      server: () => ({ metadata: { k: 'x'.repeat(256) } }),
      version: '2.37',
      status: 400,
      fault: 'badRequest',
      message: `Invalid input for field/attribute k. Value: ${'x'.repeat(256)}. ` +
        `'${'x'.repeat(256)}' is too long`,
    },
    {
      name: 'a microversion past Zed',
      server: () => ({}),
      version: '2.999',
      status: 406,
      fault: 'computeFault',
      message: 'Version 2.999 is not supported by the API. Minimum is 2.1 and maximum is 2.93.',
    },
  ];

  for (const refusal of refusals) {
    it(`refuses ${refusal.name} with Nova's words`, async () => {
      const response = await api.createServer(refusal.server(), refusal.version);
      assert.equal(response.status, refusal.status);
      const message = typeof refusal.message === 'string' ? refusal.message : refusal.message();
      assert.deepEqual(response.body, { [refusal.fault]: { code: refusal.status, message } });
      assert.equal(response.headers.get('openstack-api-version'), `compute ${refusal.version}`);
    });
  }

  it('shows a server booted without a network with no address and no security group',
    async () => {
      const { body } = await api.createServer({ networks: 'none' });
      const id = body.server.id as string;
      const server = await until('ACTIVE', async () => {
        const shown = (await api.nova('GET', `/servers/${id}`)).body.server;
        return shown.status === 'ACTIVE' ? shown : undefined;
      });
      assert.deepEqual(server.addresses, {});
      assert.equal(server.security_groups, undefined);
      assert.equal(server.description, null);
      assert.deepEqual(server.tags, []);
      await api.nova('DELETE', `/servers/${id}`);
    });

  it("names a snapshot's image by Glance's endpoint and the v1 path before 2.45", async () => {
    const { body } = await api.createServer();
    const id = body.server.id as string;
    await until('ACTIVE', async () => ((await api.nova('GET', `/servers/${id}`)).body.server
      .status === 'ACTIVE' ? true : undefined));

    const response = await api.nova('POST', `/servers/${id}/action`,
      { createImage: { name: 'snap' } });
    assert.equal(response.status, 202);
    assert.match(response.headers.get('location') ?? '', /\/image\/images\/[0-9a-f-]{36}$/);

    const image = (await api.glance(`/v2/images/${response.headers.get('location')
      ?.split('/').at(-1)}`)).body;
    assert.equal(image.owner, sim.projectId);
    assert.equal(image.owner_project_name, sim.projectName);
    assert.equal(image.owner_id, undefined);
    await api.nova('DELETE', `/servers/${id}`);
  });
});
