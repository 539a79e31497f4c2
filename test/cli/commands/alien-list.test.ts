import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { findAlienServers, formatAlienServers } from '../../../cli/commands/alien-list.ts';
import { serverMetadata } from '../../../lib/cloud/metadata.ts';
import { golden, runCli, startCliWorld, type CliWorld } from '../support.ts';

describe('alien-list', () => {
  let world: CliWorld;
  let leaked: string;
  let template: string;

  async function createServer(name: string, metadata: Record<string, string> = {}) {
    const image = await world.cloud.findImage('ci-jessie-wikimedia');
    const flavor = (await world.cloud.listFlavors())[0];
    const server = await world.cloud.createServer({
      name,
      imageId: image!.id,
      flavorId: flavor!.id,
      metadata,
    });
    return server.id;
  }

  /** Server ids are random; the golden files name them by fixed ids of the same width. */
  function withFixedIds(text: string) {
    return text.replaceAll(leaked, 'a'.repeat(8) + '-aaaa-aaaa-aaaa-' + 'a'.repeat(12))
      .replaceAll(template, 'b'.repeat(8) + '-bbbb-bbbb-bbbb-' + 'b'.repeat(12));
  }

  before(async () => {
    world = await startCliWorld();
    const live = await createServer('ci-jessie-wikimedia-1');
    await world.insertNode({ state: 'ready', externalId: live });

    // A node that was deleted while its server stayed: a leak.
    leaked = await createServer(
      'ci-jessie-wikimedia-leak',
      serverMetadata({
        poolId: 'whiskpool-test',
        nodeId: '2',
        provider: 'test-cloud',
        label: 'ci-jessie-wikimedia',
        imageName: 'ci-jessie-wikimedia',
      }),
    );
    await world.insertNode({ state: 'deleted', externalId: leaked });
    template = await createServer('template-ci-trusty-123456');
  });
  after(async () => world.close());

  it('lists the servers no live node owns, with Nodepool\'s columns', async () => {
    const listing = await findAlienServers(world.session, ['test-cloud']);
    assert.deepEqual(listing.failures, []);
    assert.equal(withFixedIds(formatAlienServers(listing.items, false)), golden('alien-list.txt'));
  });

  it('prints them as JSON with --json', async () => {
    const listing = await findAlienServers(world.session, ['test-cloud']);
    assert.equal(withFixedIds(formatAlienServers(listing.items, true)), golden('alien-list.json'));
  });

  it('reports a provider that cannot be listed beside what the others answered', async () => {
    world.openstack.failNova({ status: 503 });
    const listing = await findAlienServers(world.session, ['test-cloud']);
    world.openstack.clearFaults();

    assert.deepEqual(listing.items, []);
    assert.deepEqual(listing.failures.map((f) => f.provider), ['test-cloud']);
    assert.match(listing.failures[0]!.message, /test-cloud/);
  });

  it('lists one provider when named', async () => {
    const run = await runCli(['-c', world.configPath, 'alien-list', 'test-cloud']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(withFixedIds(run.stdout), `${golden('alien-list.txt')}\n`);
  });
});
