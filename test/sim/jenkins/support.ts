import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { createLogger, type Logger } from '../../../lib/log.ts';

/** A machine's SSH endpoint as far as Jenkins' launcher can tell: it greets with a banner. */
export interface SshEndpoint {
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startSshEndpoint(banner = 'SSH-2.0-test\r\n'): Promise<SshEndpoint> {
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(banner);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    host: '127.0.0.1',
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function quietLog(): Logger {
  return createLogger({ name: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}

/** Polls `check` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what} in vain`);
    await sleep(25);
  }
}
