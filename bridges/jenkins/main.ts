import type { PoolConfig } from '../../lib/config/index.ts';
import type { ConfigSource } from '../../lib/config/watch.ts';
import { createLogger } from '../../lib/log.ts';
import { connectNats } from '../../lib/nats/connect.ts';
import { createPublisher } from '../../lib/nats/publish.ts';
import { ensureStreams } from '../../lib/nats/streams.ts';
import { announceReady, untilSignalled } from '../../lib/process/signals.ts';
import { followConfig } from '../config-reload.ts';
import { startJenkinsBridge } from './bridge.ts';

export interface JenkinsBridgeRun {
  /** Where changed zmq-publishers come from while the bridge runs. */
  source?: ConfigSource;
}

export async function runJenkinsBridge(config: PoolConfig, options: JenkinsBridgeRun = {}) {
  const log = createLogger({ name: 'bridge.jenkins' });
  const nc = await connectNats(config.nats.url, 'whiskpool-bridge-jenkins');
  await ensureStreams(nc);
  const publisher = createPublisher(nc);

  const start = (publishers: string[]) => startJenkinsBridge({ publishers, publisher, log });
  let bridge = start(config.zmqPublishers);

  // The new subscriptions open before the old close, so a publisher kept in the file loses
  // no frame in between; a frame both receive is stored once, by its message id.
  const watch = followConfig(options.source, config, log, (c) => c.zmqPublishers, async (next) => {
    const previous = bridge;
    bridge = start(next);
    await previous.stop();
    log.info({ publishers: next }, 'zmq publishers changed');
  });
  log.info({ publishers: config.zmqPublishers }, 'jenkins bridge up');
  announceReady({ bridge: 'jenkins' });

  await untilSignalled();
  watch?.stop();
  await bridge.stop();
  await nc.drain();
}
