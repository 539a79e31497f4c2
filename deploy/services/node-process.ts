import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { Child } from './child.ts';

const TSX_LOADER = fileURLToPath(
  new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url),
);

export interface NodeProcessOptions {
  name: string;
  /** A TypeScript entry point, relative to the repository root. */
  script: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Where stdout and stderr are appended. */
  logFile: string;
  readyTimeoutMs?: number;
  /** False for a process that announces nothing: it counts as ready once started. */
  announces?: boolean;
}

export interface NodeProcess extends Child {
  /** The JSON the process printed when it became ready. */
  readonly ready: Record<string, unknown>;
  /** Every later JSON line the process prints on stdout. */
  onLine(listener: (line: Record<string, unknown>) => void): void;
}

/**
 * Starts one of whiskpool's own TypeScript processes and waits until it prints its
 * `{"ready": ...}` (or a stand-in's `{"listening": ...}`) line.
 */
export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(
    process.execPath,
    ['--import', TSX_LOADER, `${root}${options.script}`, ...options.args],
    { cwd: process.cwd(), env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr.pipe(log, { end: false });

  const listeners: ((line: Record<string, unknown>) => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let settled = options.announces === false;
    if (settled) resolve({});
    let buffer = '';
    const timer = settled
      ? undefined
      : setTimeout(() => {
          fail(new Error(`${options.name} did not get ready; see ${options.logFile}`));
        }, options.readyTimeoutMs ?? 60_000);

    function fail(error: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    }

    child.once('exit', (code, signal) => {
      fail(new Error(`${options.name} exited (${signal ?? code}); see ${options.logFile}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (settled && listeners.length === 0) {
        // Nobody reads the lines: only the partial last one is kept, for a later listener.
        const end = chunk.lastIndexOf(0x0a);
        buffer = end < 0 ? buffer + chunk.toString('utf8') : chunk.toString('utf8', end + 1);
        return;
      }
      buffer += chunk.toString('utf8');
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        const line = parseLine(text);
        if (!line) continue;
        if (!settled && ('ready' in line || 'listening' in line)) {
          settled = true;
          clearTimeout(timer);
          resolve(line);
          continue;
        }
        for (const listener of listeners) listener(line);
      }
    });
  });

  return {
    name: options.name,
    process: child,
    ready,
    onLine(listener) {
      listeners.push(listener);
    },
    async stop(graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

function parseLine(text: string): Record<string, unknown> | null {
  if (!text.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
