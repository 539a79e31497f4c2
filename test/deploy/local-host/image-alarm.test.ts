import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { actionSettings } from '../../../cli/config-file.ts';
import { startAlarms } from '../../../deploy/local-host/alarms.ts';
import { imageUpdateAlarm } from '../../../deploy/local-host/image-alarm.ts';
import { startNats, type NatsService } from '../../../deploy/services/nats.ts';
import { ACTIONS } from '../../../functions/index.ts';
import { closeResources } from '../../../lib/actions/resources.ts';
import { loadConfig } from '../../../lib/config/index.ts';
import { Subject, WORK_STREAM } from '../../../lib/events/subjects.ts';
import { createLogger } from '../../../lib/log.ts';
import { ensureStreams } from '../../../lib/nats/streams.ts';
import { writeTestPool, type TestPool } from '../../support/pool-config.ts';

describe('the image-update cron on the local action host', () => {
  let pool: TestPool;
  let nats: NatsService;
  let nc: NatsConnection;

  before(async () => {
    // Every second, so that the test sees a tick; Nodepool's six-field form, seconds last.
    pool = await writeTestPool({
      labels: [
        { name: 'ci-jessie-wikimedia', minReady: 1 },
        { name: 'ci-trusty-wikimedia', minReady: 0 },
      ],
      maxServers: 2,
      extra: "cron:\n  image-update: '* * * * * *'\n",
    });
    nats = await startNats(pool.ports.nats, join(pool.dir, 'nats'));
    nc = await connect({ servers: nats.url });
    await ensureStreams(nc);
  });
  after(async () => {
    await closeResources();
    await nc?.close();
    await nats?.stop();
    rmSync(pool.dir, { recursive: true, force: true });
  });

  it('asks for a refresh of every in-use image through the image-refresh action', async () => {
    const settings = actionSettings(await loadConfig(pool.configPath));
    const alarms = startAlarms(
      [imageUpdateAlarm(settings)],
      ACTIONS,
      () => ({ whiskpool: settings }),
      createLogger({ name: 'test', level: 'silent' }),
    );

    const consumer = await jetstream(nc).consumers.get(WORK_STREAM, 'image');
    const seen: unknown[] = [];
    try {
      while (seen.length < 2) {
        const message = await consumer.next({ expires: 5000 });
        assert.ok(message, 'a refresh request within a few seconds');
        message.ack();
        assert.equal(message.subject, Subject.ImageRefresh);
        seen.push(message.json());
      }
    } finally {
      alarms.stop();
    }

    const asked = seen.map((data) => data as { provider: string; image: string; reason: string });
    assert.deepEqual(asked.slice(0, 2).map((r) => `${r.provider}/${r.image} ${r.reason}`).sort(), [
      'test-cloud/ci-jessie-wikimedia cron',
      'test-cloud/ci-trusty-wikimedia cron',
    ]);
  });
});
