import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import { ErrorCode, WhiskpoolError } from '../../lib/errors.ts';
import { ACTIVATION_END_MARKER, type InitBody, type RunBody } from './protocol.ts';

export interface ContainerOptions {
  /** For error messages: the action this container runs. */
  action: string;
  memoryMb: number;
  /** The container's whole environment besides PATH: nothing of the host leaks in. */
  env: Record<string, string>;
  allowConcurrent: boolean;
  /** Where the action's output goes as well, end markers removed. */
  output?: NodeJS.WritableStream;
  startTimeoutMs?: number;
}

export interface ProxyReply {
  status: number;
  body: unknown;
  /** The activation's log lines in OpenWhisk's format, when the container runs one at a time. */
  logs: string[];
}

export interface ActionContainer {
  readonly pid: number | undefined;
  alive(): boolean;
  init(body: InitBody, timeoutMs: number): Promise<ProxyReply>;
  run(body: RunBody, timeoutMs: number): Promise<ProxyReply>;
  stop(): Promise<void>;
}

/** A proxy request that did not answer in time; the container must be thrown away. */
export class ContainerTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`The action exceeded its time limits of ${timeoutMs} milliseconds.`);
    this.name = 'ContainerTimeout';
  }
}

interface LogLine {
  at: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** How long the end markers may trail the `/run` answer before the logs are taken as they are. */
const MARKER_WAIT_MS = 2000;

/**
 * Starts one action container: a plain `node` process running the action proxy, like a
 * runtime image's entry point. Its output is split into activations at the end markers.
 */
export async function startContainer(options: ContainerOptions): Promise<ActionContainer> {
  const script = await proxyScript();
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${options.memoryMb}`, script, '--port', '0', '--exit-with-stdin'],
    {
      cwd: tmpdir(),
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ...options.env,
        ...(options.allowConcurrent ? { __OW_ALLOW_CONCURRENT: 'true' } : {}),
      },
      // Nothing is written to stdin: it only closes when this process ends, however it ends.
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const collect = !options.allowConcurrent;
  const streams = { stdout: new StreamLog(collect), stderr: new StreamLog(collect) };
  let announce: ((port: number) => void) | undefined;

  for (const name of ['stdout', 'stderr'] as const) {
    const lines = createInterface({ input: child[name] });
    lines.on('line', (text) => {
      if (name === 'stdout' && announce) {
        const port = listeningPort(text);
        if (port !== undefined) {
          announce(port);
          announce = undefined;
          return;
        }
      }
      if (text !== ACTIVATION_END_MARKER) options.output?.write(`${text}\n`);
      streams[name].add({ at: Date.now(), stream: name, text });
    });
  }

  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(failure(`container for ${options.action} did not start in ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    announce = (bound) => {
      clearTimeout(timer);
      resolve(bound);
    };
    // Once the port is known this is a no-op: a promise settles once.
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(failure(`container for ${options.action} exited at start (${signal ?? code})`));
    });
  });
  const base = `http://127.0.0.1:${port}`;

  async function post(path: string, body: unknown, timeoutMs: number): Promise<ProxyReply> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw new ContainerTimeout(timeoutMs);
      throw new WhiskpoolError(
        ErrorCode.ActionFailed,
        `container for ${options.action} did not answer ${path}: ${(error as Error).message}`,
        { retryable: true, cause: error },
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      const start = text.slice(0, 200);
      parsed = { error: `the container answered something that is not JSON: ${start}` };
    }
    // Only a failed init ends a log; a successful one's output belongs to the first run.
    const marked = path === '/run' || response.status === 502;
    const logs = collect && marked ? await activationLogs(streams) : [];
    return { status: response.status, body: parsed, logs };
  }

  return {
    pid: child.pid,
    alive: () => child.exitCode === null && child.signalCode === null,
    init: (body, timeoutMs) => post('/init', body, timeoutMs),
    run: (body, timeoutMs) => post('/run', body, timeoutMs),
    stop: () => stopChild(child, exited),
  };
}

/** Lines of one stream since its last end marker, handed out one activation at a time. */
class StreamLog {
  private lines: LogLine[] = [];
  private done: LogLine[][] = [];
  private waiting: ((lines: LogLine[]) => void)[] = [];

  constructor(private readonly keep: boolean) {}

  add(line: LogLine) {
    if (!this.keep) return;
    if (line.text !== ACTIVATION_END_MARKER) {
      this.lines.push(line);
      return;
    }
    const chunk = this.lines;
    this.lines = [];
    const waiter = this.waiting.shift();
    if (waiter) waiter(chunk);
    else this.done.push(chunk);
  }

  next(timeoutMs: number): Promise<LogLine[]> {
    const ready = this.done.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== take);
        const partial = this.lines;
        this.lines = [];
        resolve(partial);
      }, timeoutMs);
      const take = (lines: LogLine[]) => {
        clearTimeout(timer);
        resolve(lines);
      };
      this.waiting.push(take);
    });
  }
}

async function activationLogs(streams: Record<'stdout' | 'stderr', StreamLog>): Promise<string[]> {
  const [out, err] = await Promise.all([
    streams.stdout.next(MARKER_WAIT_MS),
    streams.stderr.next(MARKER_WAIT_MS),
  ]);
  return [...out, ...err]
    .sort((a, b) => a.at - b.at)
    .map((line) => `${new Date(line.at).toISOString()} ${line.stream}: ${line.text}`);
}

function listeningPort(text: string): number | undefined {
  if (!text.startsWith('{"listening"')) return undefined;
  try {
    const port = (JSON.parse(text) as { listening?: { port?: unknown } }).listening?.port;
    return typeof port === 'number' ? port : undefined;
  } catch {
    return undefined;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

function failure(message: string) {
  return new WhiskpoolError(ErrorCode.ActionFailed, message, { retryable: true });
}

let script: Promise<string> | undefined;

/**
 * The proxy as one plain CommonJS file, built once per host process: containers start with
 * bare `node`, as a runtime image does, without a TypeScript loader in the way.
 */
function proxyScript(): Promise<string> {
  script ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'whiskpool-proxy-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, 'action-proxy.cjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./main.ts', import.meta.url))],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'error',
    });
    return outfile;
  })();
  return script;
}
