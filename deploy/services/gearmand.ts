import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { startChild, waitForPort, type Child } from './child.ts';

export interface GearmanService extends Child {
  readonly host: string;
  readonly port: number;
}

/** Starts Debian's gearmand on 127.0.0.1 in the foreground, with its log under `dataDir`. */
export async function startGearmand(port: number, dataDir: string, output?: NodeJS.WritableStream) {
  mkdirSync(dataDir, { recursive: true });

  const child = startChild({
    name: 'gearmand',
    command: 'gearmand',
    args: [
      '--listen=127.0.0.1',
      `--port=${port}`,
      `--log-file=${join(dataDir, 'gearmand.log')}`,
      '--verbose=WARNING',
      '--threads=1',
    ],
    output,
  });
  await waitForPort(port);

  const service: GearmanService = { ...child, host: '127.0.0.1', port };
  return service;
}
