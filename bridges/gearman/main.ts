import type { PoolConfig } from '../../lib/config/index.ts';
import { createLogger } from '../../lib/log.ts';
import { connectNats } from '../../lib/nats/connect.ts';
import { createPublisher } from '../../lib/nats/publish.ts';
import { ensureStreams } from '../../lib/nats/streams.ts';
import { announceReady, untilSignalled } from '../../lib/process/signals.ts';
import { startGearmanBridge } from './bridge.ts';

export async function runGearmanBridge(config: PoolConfig, options: { pollMs: number }) {
  const log = createLogger({ name: 'bridge.gearman' });
  const nc = await connectNats(config.nats.url, 'whiskpool-bridge-gearman');
  await ensureStreams(nc);

  const bridge = startGearmanBridge({
    servers: config.gearmanServers,
    publisher: createPublisher(nc),
    log,
    pollMs: options.pollMs,
  });
  log.info({ servers: config.gearmanServers.length, pollMs: options.pollMs }, 'gearman bridge up');
  announceReady({ bridge: 'gearman' });

  await untilSignalled();
  await bridge.stop();
  await nc.drain();
}
