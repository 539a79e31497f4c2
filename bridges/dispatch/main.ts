import type { PoolConfig } from '../../lib/config/index.ts';
import { createLogger } from '../../lib/log.ts';
import { connectNats } from '../../lib/nats/connect.ts';
import { ensureStreams } from '../../lib/nats/streams.ts';
import { announceReady, untilSignalled } from '../../lib/process/signals.ts';
import { startDispatcher } from './dispatcher.ts';
import { createOpenWhiskInvoker, type OpenWhiskTarget } from './invoker.ts';
import { DEFAULT_RETRY } from './retry.ts';

export async function runDispatchBridge(config: PoolConfig, target: OpenWhiskTarget) {
  const log = createLogger({ name: 'bridge.dispatch' });
  const nc = await connectNats(config.nats.url, 'whiskpool-bridge-dispatch');
  await ensureStreams(nc);

  const dispatcher = startDispatcher({
    nc,
    invoker: createOpenWhiskInvoker(target),
    log,
    retry: DEFAULT_RETRY,
  });
  log.info({ apihost: target.apihost }, 'dispatch bridge up');
  announceReady({ bridge: 'dispatch' });

  await untilSignalled();
  await dispatcher.stop();
  await nc.drain();
}
