import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startGearmand, type GearmanService } from '../../../deploy/services/gearmand.ts';
import { freePort } from '../../support/ports.ts';

export interface TestGearmand extends GearmanService {
  /** Stops gearmand and starts a fresh one on the same port, as an operator's restart does. */
  restart(): Promise<TestGearmand>;
  /** Stops gearmand and removes its directory. */
  dispose(): Promise<void>;
}

export async function startTestGearmand(port?: number, dir?: string): Promise<TestGearmand> {
  const dataDir = dir ?? mkdtempSync(join(tmpdir(), 'whiskpool-gearmand-'));
  const service = await startGearmand(port ?? (await freePort()), dataDir);

  return {
    ...service,
    async restart() {
      await service.stop();
      return startTestGearmand(service.port, dataDir);
    },
    async dispose() {
      await service.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Rejects when `promise` has not settled within `ms`, naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Sends one text admin command and returns the reply's lines up to the closing `.`. */
export function adminLines(port: number, command: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      const lines = text.split('\n');
      const end = lines.indexOf('.');
      if (end < 0) return;
      socket.destroy();
      resolve(lines.slice(0, end));
    });
    socket.write(`${command}\n`);
  });
}

/** The admin `status` counts of one function, or undefined when gearmand does not list it. */
export async function functionStatus(port: number, name: string) {
  const lines = await adminLines(port, 'status');
  const line = lines.map((l) => l.split('\t')).find((fields) => fields[0] === name);
  if (!line) return undefined;
  return { total: Number(line[1]), running: Number(line[2]), workers: Number(line[3]) };
}

/** Polls `check` until it returns true or `ms` pass. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  ms: number,
  what: string,
) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what}: not true after ${ms} ms`);
}
