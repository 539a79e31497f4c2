import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { startGearmand, type GearmanService } from '../../../deploy/services/gearmand.ts';
import { createLogger, type Logger } from '../../../lib/log.ts';
import { freePort } from '../../support/ports.ts';

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

/** A gearmand of the test's own, in a directory removed afterwards. */
export interface TestGearmand extends GearmanService {
  dispose(): Promise<void>;
}

export async function startTestGearmand(): Promise<TestGearmand> {
  const dataDir = mkdtempSync(join(tmpdir(), 'whiskpool-jenkins-gearmand-'));
  const service = await startGearmand(await freePort(), dataDir);
  return {
    ...service,
    async dispose() {
      await service.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Sends a gearmand admin command and returns the lines of its answer before the final `.`. */
export function gearmanAdmin(port: number, command: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      text += chunk;
      const lines = text.split('\n');
      const end = lines.indexOf('.');
      if (end < 0) return;
      socket.destroy();
      resolve(lines.slice(0, end));
    });
    socket.write(`${command}\n`);
  });
}

/** The functions the worker with this client id registered; undefined when it is not there. */
export async function workerFunctions(port: number, clientId: string) {
  for (const line of await gearmanAdmin(port, 'workers')) {
    const [who = '', functions = ''] = line.split(' : ');
    if (who.split(' ')[2] === clientId) return functions.split(' ').filter(Boolean).sort();
  }
  return undefined;
}

/** The admin `status` counts of one function: queued + running, running, workers. */
export async function functionStatus(port: number, name: string) {
  for (const line of await gearmanAdmin(port, 'status')) {
    const [fn, total, running, workers] = line.split('\t');
    if (fn !== name) continue;
    return { total: Number(total), running: Number(running), workers: Number(workers) };
  }
  return undefined;
}
