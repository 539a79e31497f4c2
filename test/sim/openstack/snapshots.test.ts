import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startOpenStackSim, type OpenStackSim } from '../../../sim/openstack/index.ts';
import { origin, RawApi, request, until } from './raw-api.ts';

describe('OpenStack stand-in: Nova createImage and Glance snapshots', () => {
  let sim: OpenStackSim;
  let api: RawApi;
  before(async () => {
    sim = await startOpenStackSim({ bootDelayMs: 20, snapshotDelayMs: 300, maxInstances: -1 });
    api = new RawApi(sim);
  });
  after(() => sim.close());

  // Glance lists newest first, and the newest may be a snapshot still saving.
  const baseImage = () => sim.state().images.find((i) => i.name === 'ci-jessie-wikimedia')?.id;

  async function activeServer() {
    const { body } = await api.createServer({ imageRef: baseImage() });
    const id: string = body.server.id;
    await until('ACTIVE', () =>
      sim.state().servers.find((s) => s.id === id)?.status === 'ACTIVE' ? true : undefined);
    return id;
  }

  const glanceImage = (id: string) => api.glance(`/v2/images/${id}`);

  async function token() {
    const auth = await api.authenticate();
    return auth.headers.get('x-subject-token') ?? '';
  }

  async function snapshot(serverId: string, version = '2.37', metadata = {}) {
    return api.nova('POST', `/servers/${serverId}/action`,
      { createImage: { name: `snap-${serverId.slice(0, 8)}`, metadata } }, version);
  }

  it('names the new image in the Location header before 2.45 and in the body from 2.45',
    async () => {
      const server = await activeServer();
      const old = await snapshot(server, '2.37');
      assert.equal(old.status, 202);
      assert.equal(old.text, '');
      const location = old.headers.get('location') ?? '';
      // Nova names the image by Glance's endpoint and the v1 path, as Zed's Nova does.
      assert.match(location, /\/image\/images\/[0-9a-f-]{36}$/);

      await until('idle again', () =>
        sim.state().servers.find((s) => s.id === server)?.taskState === null ? true : undefined);
      const modern = await snapshot(server, '2.45');
      assert.equal(modern.status, 202);
      assert.match(modern.body.image_id, /^[0-9a-f-]{36}$/);
    });

  it('goes queued or saving, then active, and carries the metadata and Nova\'s own keys',
    async () => {
      const server = await activeServer();
      const { body } = await snapshot(server, '2.45', { show: 'true' });
      const first = await glanceImage(body.image_id);
      assert.ok(['queued', 'saving'].includes(first.body.status), first.body.status);
      assert.notEqual(
        sim.state().servers.find((s) => s.id === server)?.taskState,
        null,
        'the server is busy with the snapshot',
      );

      await until('active', async () =>
        (await glanceImage(body.image_id)).body.status === 'active' ? true : undefined);
      const done = await glanceImage(body.image_id);
      assert.equal(done.body.show, 'true');
      assert.equal(done.body.image_type, 'snapshot');
      assert.equal(done.body.instance_uuid, server);
      const sample = new URL(
        '../../../../shared/data/openstack-api/glance_2016-06_v2_image-show-response.json',
        import.meta.url,
      );
      for (const key of Object.keys(JSON.parse(readFileSync(sample, 'utf8')))) {
        assert.ok(key in done.body, `snapshot lacks ${key}`);
      }
    });

  it('refuses a snapshot of a server that is not ACTIVE or is busy, with 409', async () => {
    sim.stickInBuild({ count: 1 });
    const { body } = await api.createServer({ imageRef: baseImage() });
    const building = await snapshot(body.server.id);
    assert.equal(building.status, 409);
    assert.match(building.body.conflictingRequest.message, /vm_state building/);

    const server = await activeServer();
    assert.equal((await snapshot(server)).status, 202);
    const busy = await snapshot(server);
    assert.equal(busy.status, 409);
    assert.match(busy.body.conflictingRequest.message, /task_state image_/);
  });

  it('answers an unknown server action with 400', async () => {
    const server = await activeServer();
    const response = await api.nova('POST', `/servers/${server}/action`, { reboot: {} });
    assert.equal(response.status, 400);
    assert.match(response.body.badRequest.message, /no such action: reboot/);
  });

  it('leaves a snapshot saving for ever, or ends it killed, when told to', async () => {
    sim.stickSnapshots({ count: 1 });
    const stuck = (await snapshot(await activeServer(), '2.45')).body.image_id;
    sim.failSnapshots({ count: 1 });
    const killed = (await snapshot(await activeServer(), '2.45')).body.image_id;

    await until('killed', async () =>
      (await glanceImage(killed)).body.status === 'killed' ? true : undefined);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await glanceImage(stuck)).body.status, 'saving');
  });

  it('deletes an image with 204, then answers 404 for it', async () => {
    const { body } = await snapshot(await activeServer(), '2.45');
    const auth = { 'X-Auth-Token': await token() };
    const url = `${origin(sim)}/image/v2/images/${body.image_id}`;

    assert.equal((await request('DELETE', url, undefined, auth)).status, 204);
    assert.equal((await request('GET', url, undefined, auth)).status, 404);
    assert.equal((await request('DELETE', url, undefined, auth)).status, 404);
    assert.ok(!sim.state().images.some((image) => image.id === body.image_id));
  });

  it('boots no server from an image that is not active', async () => {
    sim.stickSnapshots({ count: 1 });
    const { body } = await snapshot(await activeServer(), '2.45');
    const response = await api.createServer({ imageRef: body.image_id });
    assert.equal(response.status, 400);
    assert.match(response.body.badRequest.message, /is not active/);
  });
});
