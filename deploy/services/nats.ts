import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { startChild, waitForPort, type Child } from './child.ts';

export interface NatsService extends Child {
  readonly url: string;
}

/**
 * Starts Debian's nats-server with JetStream on 127.0.0.1, keeping its store under `dataDir`
 * so that a restart finds its streams again.
 */
export async function startNats(port: number, dataDir: string, output?: NodeJS.WritableStream) {
  const storeDir = join(dataDir, 'jetstream');
  mkdirSync(storeDir, { recursive: true });

  const child = startChild({
    name: 'nats-server',
    command: 'nats-server',
    args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
    output,
  });
  await waitForPort(port);

  const service: NatsService = { ...child, url: `nats://127.0.0.1:${port}` };
  return service;
}
