import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createOpenStackProvider,
  readTemplateOwnership,
  templateMetadata,
  type OpenStackOptions,
} from '../../../../lib/cloud/index.ts';
import { ErrorCode, isWhiskpoolError } from '../../../../lib/errors.ts';
import { createLogger } from '../../../../lib/log.ts';
import { startOpenStackSim, type OpenStackSim } from '../../../../sim/openstack/index.ts';
import { until } from '../../../sim/openstack/raw-api.ts';

const log = createLogger({ name: 'test.cloud', level: 'silent' });

describe('OpenStack client against the stand-in: snapshots', () => {
  let sim: OpenStackSim;
  before(async () => {
    sim = await startOpenStackSim({ bootDelayMs: 20, snapshotDelayMs: 100, maxInstances: -1 });
  });
  after(() => sim.close());

  function clientFor(extra: Partial<OpenStackOptions> = {}) {
    return createOpenStackProvider(
      { name: 'sim', authUrl: sim.url, username: sim.username, password: sim.password,
        projectName: sim.projectName, ...extra },
      log,
    );
  }

  async function activeTemplate(cloud: ReturnType<typeof clientFor>) {
    const base = await cloud.findImage('ci-jessie-wikimedia');
    assert.ok(base);
    const metadata = templateMetadata({ poolId: 'pool-a', imageId: '7', provider: 'sim',
      imageName: 'ci-jessie-wikimedia' });
    const { id } = await cloud.createServer({ name: 'ci-jessie-wikimedia-1449576000',
      imageId: base.id, flavorId: '3', metadata, networks: 'none' });
    await until('ACTIVE', async () =>
      (await cloud.getServer(id))?.status === 'ACTIVE' ? true : undefined);
    return id;
  }

  for (const microversion of ['2.37', '2.45']) {
    it(`snapshots a server and follows the image to active (compute ${microversion})`,
      async () => {
        const cloud = clientFor({ computeMicroversion: microversion });
        const server = await activeTemplate(cloud);

        const { id } = await cloud.createImage(server, 'ci-jessie-wikimedia-1449576000',
          { properties: '{"show":"true"}' });
        const first = await cloud.getImage(id);
        assert.ok(first && ['queued', 'saving'].includes(first.status), first?.status);

        const active = await until('active', async () => {
          const image = await cloud.getImage(id);
          return image?.status === 'active' ? image : undefined;
        });
        assert.equal(active.name, 'ci-jessie-wikimedia-1449576000');
        assert.equal(active.properties.properties, '{"show":"true"}');
        assert.equal(active.properties.instance_uuid, server);
        assert.equal(active.properties.image_type, 'snapshot');
        assert.equal(active.properties.name, undefined, "Glance's own fields are no property");
      });
  }

  it('deletes an image, and counts an image already gone as deleted', async () => {
    const cloud = clientFor();
    const { id } = await cloud.createImage(await activeTemplate(cloud), 'to-delete', {});
    await cloud.deleteImage(id);
    assert.equal(await cloud.getImage(id), null);
    await cloud.deleteImage(id);
  });

  it('says why Nova refused a snapshot of a server that is busy', async () => {
    const cloud = clientFor();
    const server = await activeTemplate(cloud);
    await cloud.createImage(server, 'first', {});
    const error = await cloud.createImage(server, 'second', {}).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(isWhiskpoolError(error, ErrorCode.CloudRequestRefused), String(error));
    assert.equal(error.retryable, true, 'Nova says 409 while a task runs; it passes');
    assert.match(error.message, /task_state/);
  });

  it('tags template servers so that they can be told from nodes and found again', async () => {
    const cloud = clientFor();
    const server = await cloud.getServer(await activeTemplate(cloud));
    assert.deepEqual(readTemplateOwnership(server?.metadata ?? {}),
      { poolId: 'pool-a', imageId: '7', provider: 'sim' });
    assert.deepEqual(JSON.parse(server?.metadata.nodepool ?? '{}'), {
      provider_name: 'sim', snapshot_image_id: '7', image_name: 'ci-jessie-wikimedia' });
    assert.equal(readTemplateOwnership({ 'whiskpool-pool': 'pool-a', 'whiskpool-node-id': '3' }),
      null);
  });
});
