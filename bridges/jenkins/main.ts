import type { PoolConfig } from '../../lib/config/index.ts';
import { createLogger } from '../../lib/log.ts';
import { connectNats } from '../../lib/nats/connect.ts';
import { createPublisher } from '../../lib/nats/publish.ts';
import { ensureStreams } from '../../lib/nats/streams.ts';
import { announceReady, untilSignalled } from '../../lib/process/signals.ts';
import { startJenkinsBridge } from './bridge.ts';

export async function runJenkinsBridge(config: PoolConfig) {
  const log = createLogger({ name: 'bridge.jenkins' });
  const nc = await connectNats(config.nats.url, 'whiskpool-bridge-jenkins');
  await ensureStreams(nc);

  const bridge = startJenkinsBridge({
    publishers: config.zmqPublishers,
    publisher: createPublisher(nc),
    log,
  });
  log.info({ publishers: config.zmqPublishers }, 'jenkins bridge up');
  announceReady({ bridge: 'jenkins' });

  await untilSignalled();
  await bridge.stop();
  await nc.drain();
}
