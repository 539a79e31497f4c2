import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  findAlienImages,
  formatAlienImages,
} from '../../../cli/commands/alien-image-list.ts';
import { golden, NOW, runCli, startCliWorld, type CliWorld } from '../support.ts';

describe('alien-image-list', () => {
  let world: CliWorld;
  let leftover: string;
  let foreign: string;

  /** Glance ids are random; the golden files name them by fixed ids of the same width. */
  function withFixedIds(text: string) {
    return text
      .replaceAll(leftover, `${'a'.repeat(8)}-aaaa-aaaa-aaaa-${'a'.repeat(12)}`)
      .replaceAll(foreign, `${'b'.repeat(8)}-bbbb-bbbb-bbbb-${'b'.repeat(12)}`);
  }

  async function snapshot(name: string) {
    const image = await world.cloud.findImage('ci-jessie-wikimedia');
    const flavor = (await world.cloud.listFlavors())[0];
    const server = await world.cloud.createServer({
      name: `template-${name}`,
      imageId: image!.id,
      flavorId: flavor!.id,
      metadata: {},
    });
    const created = await world.cloud.createImage(server.id, name, { show: 'true' });
    await world.cloud.deleteServer(server.id);
    return created.id;
  }

  async function insertImage(externalId: string, state: string, version: number) {
    await world.session.db('images').insert({
      provider: 'test-cloud',
      image_name: 'ci-jessie-wikimedia',
      hostname: `ci-jessie-wikimedia-${version}`,
      version,
      external_id: externalId,
      state,
      state_time: NOW,
    });
  }

  before(async () => {
    world = await startCliWorld();
    const current = await snapshot('ci-jessie-wikimedia-1449579600');
    await insertImage(current, 'ready', 1449579600);
    // Its row says deleted, yet the cloud kept it: a leftover.
    leftover = await snapshot('ci-jessie-wikimedia-1449576000');
    await insertImage(leftover, 'deleted', 1449576000);
    foreign = await snapshot('someone-elses-snapshot-of-debugging');
  });
  after(async () => world.close());

  it('lists snapshots no live image row names, and never base images', async () => {
    const listing = await findAlienImages(world.session, ['test-cloud']);
    assert.deepEqual(listing.failures, []);
    assert.equal(
      withFixedIds(formatAlienImages(listing.items, false)),
      golden('alien-image-list.txt'),
    );
  });

  it('prints them as JSON with --json', async () => {
    const listing = await findAlienImages(world.session, ['test-cloud']);
    assert.equal(
      withFixedIds(formatAlienImages(listing.items, true)),
      golden('alien-image-list.json'),
    );
  });

  it('runs as a command against the configured cloud and database', async () => {
    const run = await runCli(['-c', world.configPath, 'alien-image-list', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(withFixedIds(run.stdout), `${golden('alien-image-list.json')}\n`);
  });
});
