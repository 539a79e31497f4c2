import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { templateMetadata } from '../../../lib/cloud/metadata.ts';
import type { CloudServer } from '../../../lib/cloud/provider.ts';
import { parseConfig, type PoolConfig } from '../../../lib/config/index.ts';
import { openDatabase, type Database } from '../../../lib/db/connect.ts';
import { migrateLatest } from '../../../lib/db/migrate.ts';
import { isWhiskpoolError } from '../../../lib/errors.ts';
import { Subject } from '../../../lib/events/subjects.ts';
import {
  handleImageEvent,
  imagesInUse,
  isLiveTemplateServer,
  missingSnapshotRequests,
} from '../../../lib/image/index.ts';
import { createLogger } from '../../../lib/log.ts';
import type { PoolContext } from '../../../lib/pool/context.ts';
import { baseConfig, toYaml } from '../config/base-config.ts';

/**
 * baseConfig: cloud-a has trusty (with a setup script) and precise (without); cloud-b builds
 * precise with diskimage-builder. A third label, disabled, uses an image of its own.
 */
function poolConfig(): PoolConfig {
  const raw = baseConfig();
  raw.labels.push({ name: 'xenial', image: 'xenial', 'min-ready': -1,
    providers: [{ name: 'cloud-a' }] });
  raw.providers[0].images.push({ name: 'xenial', 'base-image': 'Ubuntu 16.04', 'min-ram': 8192,
    setup: 'prepare.sh' });
  return parseConfig(toYaml(raw), 'nodepool.yaml').config;
}

describe('which snapshot images are wanted', () => {
  let db: Database;
  const config = poolConfig();
  const ctx = (): PoolContext => ({
    db,
    config,
    log: createLogger({ name: 'test', level: 'silent' }),
    now: () => 1_449_576_000_000,
    cloud: () => assert.fail('no cloud call expected'),
    jenkins: () => null,
    ssh: async () => assert.fail('no ssh expected'),
    readPrivateKey: async () => Buffer.alloc(0),
    targetOnline: async () => true,
  });

  before(async () => {
    db = openDatabase({ url: 'sqlite::memory:' });
    await migrateLatest(db);
  });
  after(async () => db.destroy());
  beforeEach(async () => db('images').delete());

  const row = (state: string, image = 'trusty') =>
    db('images').insert({ provider: 'cloud-a', image_name: image, version: 1, state,
      state_time: 0, refreshing: state === 'building' ? 1 : null });

  it('counts images of enabled labels as in use, once each, and no diskimage-builder one',
    () => {
      const used = imagesInUse(config).map((found) =>
        `${found.provider.name}/${found.image.name}`);
      assert.deepEqual(used, ['cloud-a/trusty', 'cloud-a/precise']);
    });

  const cases = [
    { name: 'no row at all', rows: [], asks: true },
    { name: 'only deleted and deleting rows', rows: ['deleted', 'deleting'], asks: true },
    { name: 'a building row', rows: ['building'], asks: false },
    { name: 'a ready row', rows: ['ready', 'deleted'], asks: false },
  ];
  for (const c of cases) {
    it(`${c.asks ? 'asks' : 'does not ask'} for a snapshot of an image with ${c.name}`,
      async () => {
        for (const state of c.rows) await row(state);
        const requests = await missingSnapshotRequests(db, config);
        assert.deepEqual(
          requests,
          c.asks
            ? [{
                subject: Subject.ImageRefresh,
                data: { provider: 'cloud-a', image: 'trusty', reason: 'missing' },
                id: 'image-refresh-cloud-a-trusty-missing',
              }]
            : [],
        );
      });
  }

  it('fans the cron tick out to one request per in-use image, named by the tick', async () => {
    const outcome = await handleImageEvent(ctx(), Subject.ImageRefresh,
      { all: true, reason: 'cron', at: 1_449_576_000_000 });
    assert.deepEqual(outcome.events.map((event) => [event.id, event.data]), [
      ['image-refresh-cloud-a-trusty-cron-1449576000000',
        { provider: 'cloud-a', image: 'trusty', reason: 'cron' }],
      ['image-refresh-cloud-a-precise-cron-1449576000000',
        { provider: 'cloud-a', image: 'precise', reason: 'cron' }],
    ]);
  });

  it('skips a request for an image built by diskimage-builder', async () => {
    const outcome = await handleImageEvent(ctx(), Subject.ImageRefresh,
      { provider: 'cloud-b', image: 'precise', reason: 'operator' });
    assert.equal(outcome.summary.outcome, 'skipped');
    assert.deepEqual(await db('images').select('id'), []);
  });

  const invalid = [
    { subject: Subject.ImageRefresh, event: { provider: 'cloud-a', reason: 'cron' } },
    { subject: Subject.ImageRefresh, event: { all: true, reason: 'cron' } },
    { subject: Subject.ImageStep, event: { imageId: 1, step: 'reboot' } },
    { subject: Subject.ImageStep, event: { imageId: -1, step: 'boot' } },
    { subject: Subject.ImageDelete, event: { imageId: 'one' } },
  ];
  for (const c of invalid) {
    it(`refuses ${JSON.stringify(c.event)} on ${c.subject} as an invalid event`, async () => {
      await assert.rejects(handleImageEvent(ctx(), c.subject, c.event), (error) =>
        isWhiskpoolError(error, 'WP_EVENT_INVALID'));
      assert.deepEqual(await db('images').select('id'), []);
    });
  }
});

describe('which template servers are alive', () => {
  let db: Database;
  before(async () => {
    db = openDatabase({ url: 'sqlite::memory:' });
    await migrateLatest(db);
  });
  after(async () => db.destroy());

  const server = (id: string, imageId?: number): CloudServer => ({
    id,
    name: `template-${id}`,
    status: 'ACTIVE',
    taskState: null,
    metadata: imageId === undefined
      ? { 'whiskpool-pool': 'whiskpool', 'whiskpool-node-id': '4' }
      : templateMetadata({ poolId: 'whiskpool', imageId: String(imageId), provider: 'cloud-a',
        imageName: 'trusty' }),
    sshPort: 22,
    createdAt: '2015-12-08T14:14:00Z',
  });

  const cases = [
    { name: 'a building refresh that recorded it', state: 'building', recorded: 's1', live: true },
    { name: 'a building refresh still creating it', state: 'building', recorded: null, live: true },
    { name: 'a building refresh that recorded another', state: 'building', recorded: 's2',
      live: false },
    { name: 'a ready image', state: 'ready', recorded: 's1', live: false },
    { name: 'a failed refresh', state: 'deleting', recorded: 's1', live: false },
  ];
  for (const c of cases) {
    it(`takes the template of ${c.name} as ${c.live ? 'alive' : 'a leak'}`, async () => {
      const [id] = await db('images').insert({ provider: 'cloud-a', image_name: 'trusty',
        version: 1, state: c.state, state_time: 0, server_external_id: c.recorded });
      assert.equal(await isLiveTemplateServer(db, server('s1', Number(id))), c.live);
    });
  }

  it('takes a template whose image row is gone as a leak, and a node as no template', async () => {
    assert.equal(await isLiveTemplateServer(db, server('s1', 9999)), false);
    assert.equal(await isLiveTemplateServer(db, server('s1')), false);
  });
});
