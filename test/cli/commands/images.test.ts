import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { runImageList, runImageUpdate } from '../../../cli/commands/images.ts';
import { startNats, type NatsService } from '../../../deploy/services/nats.ts';
import { ErrorCode, isWhiskpoolError } from '../../../lib/errors.ts';
import { Subject, WORK_STREAM } from '../../../lib/events/subjects.ts';
import { ensureStreams } from '../../../lib/nats/streams.ts';
import { golden, NOW, runCli, startCliWorld, type CliWorld } from '../support.ts';

describe('image-list and image-update', () => {
  let world: CliWorld;
  let nats: NatsService;
  let nc: NatsConnection;
  let natsDir: string;

  before(async () => {
    world = await startCliWorld();
    natsDir = mkdtempSync(join(tmpdir(), 'whiskpool-cli-nats-'));
    nats = await startNats(world.natsPort, natsDir);
    nc = await connect({ servers: nats.url });
    await ensureStreams(nc);

    const rows = [
      { image_name: 'ci-jessie-wikimedia', version: 1449489240, state: 'ready', age: 86_400 + 61,
        external_id: 'a9e4c1f3-1b7e-4c64-9d3e-6f0c2b8e5d10',
        server_external_id: '5c3b0e7a-2f41-4e0f-8a6c-1d9e7b3f2a44' },
      { image_name: 'ci-jessie-wikimedia', version: 1449575640, state: 'building', age: 125,
        external_id: null, server_external_id: '0f6d2c9b-7a15-4b3e-9c81-4e2a6d5f7b03' },
      { image_name: 'ci-trusty-wikimedia', version: 1449402840, state: 'deleted', age: 5,
        external_id: null, server_external_id: null },
    ];
    for (const { age, image_name, ...row } of rows) {
      await world.session.db('images').insert({
        ...row,
        provider: 'test-cloud',
        image_name,
        hostname: `${image_name}-${row.version}`,
        state_time: NOW - age * 1000,
        step: row.state === 'building' ? 'setup' : null,
      });
    }
  });
  after(async () => {
    await nc?.close();
    await nats?.stop();
    await world.close();
    rmSync(natsDir, { recursive: true, force: true });
  });

  it("lists live images with Nodepool's columns and ages", async () => {
    assert.equal(await runImageList(world.session, false), golden('image-list.txt'));
  });

  it('prints the same rows as JSON, with the step of a refresh and its error', async () => {
    const rows = JSON.parse(await runImageList(world.session, true));
    assert.deepEqual(rows.map((row: any) => [row.id, row.state, row.step, row.ageSeconds]), [
      [1, 'ready', null, 86_461],
      [2, 'building', 'setup', 125],
    ]);
    assert.equal(rows[0].imageId, 'a9e4c1f3-1b7e-4c64-9d3e-6f0c2b8e5d10');
  });

  it('asks the pool for a refresh of every provider with the image', async () => {
    const output = await runImageUpdate(world.session, 'all', 'ci-trusty-wikimedia', 3600);

    assert.equal(output, 'image ci-trusty-wikimedia of provider test-cloud: update requested');
    const consumer = await jetstream(nc).consumers.get(WORK_STREAM, 'image');
    const message = await consumer.next({ expires: 5000 });
    assert.ok(message, 'a message on the image subjects');
    message.ack();
    assert.equal(message.subject, Subject.ImageRefresh);
    assert.deepEqual(message.json(), {
      provider: 'test-cloud',
      image: 'ci-trusty-wikimedia',
      reason: 'operator',
      timeoutSeconds: 3600,
    });
    assert.equal(message.headers?.get('Nats-Msg-Id'),
      `image-refresh-test-cloud-ci-trusty-wikimedia-operator-${NOW}`);
  });

  const refused = [
    { provider: 'nowhere', image: 'ci-jessie-wikimedia', reason: /provider "nowhere"/ },
    { provider: 'test-cloud', image: 'ci-wheezy', reason: /not an image of provider/ },
    { provider: 'all', image: 'ci-wheezy', reason: /not an image of any provider/ },
  ];
  for (const c of refused) {
    it(`refuses image-update ${c.provider} ${c.image} and publishes nothing`, async () => {
      await assert.rejects(runImageUpdate(world.session, c.provider, c.image), (error) =>
        isWhiskpoolError(error, ErrorCode.UsageInvalid) && c.reason.test(error.message));
      const info = await (await jetstream(nc).consumers.get(WORK_STREAM, 'image')).info();
      assert.equal(info.num_pending, 0);
    });
  }

  it('is a command of bin/whiskpool', async () => {
    const run = await runCli(['-c', world.configPath, 'image-list', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).map((row: any) => row.id), [1, 2]);
  });
});
