import type { PoolConfig } from '../../lib/config/index.ts';
import type { ConfigSource } from '../../lib/config/watch.ts';
import { createLogger } from '../../lib/log.ts';
import { connectNats } from '../../lib/nats/connect.ts';
import { createPublisher } from '../../lib/nats/publish.ts';
import { ensureStreams } from '../../lib/nats/streams.ts';
import { announceReady, untilSignalled } from '../../lib/process/signals.ts';
import { followConfig } from '../config-reload.ts';
import { startGearmanBridge } from './bridge.ts';

export interface GearmanBridgeRun {
  pollMs: number;
  /** Where changed gearman-servers come from while the bridge runs. */
  source?: ConfigSource;
}

export async function runGearmanBridge(config: PoolConfig, options: GearmanBridgeRun) {
  const log = createLogger({ name: 'bridge.gearman' });
  const nc = await connectNats(config.nats.url, 'whiskpool-bridge-gearman');
  await ensureStreams(nc);
  const publisher = createPublisher(nc);

  const start = (servers: PoolConfig['gearmanServers']) =>
    startGearmanBridge({ servers, publisher, log, pollMs: options.pollMs });
  let bridge = start(config.gearmanServers);

  // Polling starts again from scratch on the new servers; the first poll publishes demand.
  const restart = async (servers: PoolConfig['gearmanServers']) => {
    await bridge.stop();
    bridge = start(servers);
    log.info({ servers: servers.map((s) => `${s.host}:${s.port}`) }, 'gearman servers changed');
  };
  const watch = followConfig(options.source, config, log, (c) => c.gearmanServers, restart);
  log.info({ servers: config.gearmanServers.length, pollMs: options.pollMs }, 'gearman bridge up');
  announceReady({ bridge: 'gearman' });

  await untilSignalled();
  watch?.stop();
  await bridge.stop();
  await nc.drain();
}
