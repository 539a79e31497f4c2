import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ACTIVATION_END_MARKER, activationEnv, InitBody, initEnv, RunBody } from './protocol.ts';

type ActionMain = (params: Record<string, unknown>) => unknown;

export interface ActionProxyOptions {
  /** Intra-container concurrency, as OpenWhisk's `__OW_ALLOW_CONCURRENT` allows it. */
  allowConcurrent: boolean;
}

/**
 * The inside of one action container: a server that takes the action's code once at `/init`
 * and runs its `main` in this very process at each `/run`, as OpenWhisk's Node.js runtime
 * does. A container whose code failed in a way the runtime cannot recover from (init failed,
 * or `main` threw synchronously) answers nothing more: the platform must replace it.
 */
export function createActionProxy(options: ActionProxyOptions): Server {
  let main: ActionMain | undefined;
  let initializing = false;
  let stopped = false;
  let running = 0;

  async function init(body: unknown): Promise<[number, unknown]> {
    if (main || initializing) {
      return [403, { error: 'Cannot initialize the action more than once.' }];
    }
    const parsed = InitBody.safeParse(body);
    if (!parsed.success) return [403, { error: 'Missing main/no code to execute.' }];
    initializing = true;

    const { value } = parsed.data;
    try {
      Object.assign(process.env, initEnv(value.env));
      main = load(value.name ?? 'action', value.code, value.binary, value.main);
      return [200, { OK: true }];
    } catch (error) {
      stopped = true;
      console.error('Error during initialization:', error);
      writeMarkers();
      return [502, { error: `Initialization has failed due to: ${describe(error)}` }];
    } finally {
      initializing = false;
    }
  }

  /** Every answer to `/run` ends the activation's log, refusals included. */
  async function run(body: unknown): Promise<[number, unknown]> {
    const answer = await runOnce(body);
    writeMarkers();
    return answer;
  }

  async function runOnce(body: unknown): Promise<[number, unknown]> {
    if (stopped) return [502, { error: 'The action container stopped after an earlier failure.' }];
    if (!main) return [403, { error: 'The action is not initialized: POST /init first.' }];
    if (running > 0 && !options.allowConcurrent) {
      return [503, { error: 'An activation is already running in this container.' }];
    }
    const parsed = RunBody.safeParse(body);
    if (!parsed.success) return [400, { error: 'The run request needs a `value` object.' }];

    Object.assign(process.env, activationEnv(parsed.data));
    running += 1;
    try {
      let pending: unknown;
      try {
        pending = main(parsed.data.value);
      } catch (error) {
        // A synchronous throw is the developer's error and leaves the container unusable.
        stopped = true;
        console.error(error);
        return [502, { error: `An error has occurred: ${describe(error)}` }];
      }

      let result: unknown;
      try {
        result = await pending;
      } catch (error) {
        console.error(error);
        return [200, { error: serializeError(error) }];
      }
      if (result === undefined) return [200, {}];
      if (typeof result !== 'object' || result === null) {
        console.error(`Result must be an object but has type "${typeof result}":`, result);
        return [502, { error: 'The action did not return a dictionary or array.' }];
      }
      return [200, result];
    } finally {
      running -= 1;
    }
  }

  return createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    let status: number;
    let payload: unknown;
    try {
      const body = await readJson(request);
      const endpoint = `${request.method} ${request.url}`;
      if (endpoint === 'POST /init') [status, payload] = await init(body);
      else if (endpoint === 'POST /run') [status, payload] = await run(body);
      else [status, payload] = [404, { error: `no such endpoint: ${endpoint}` }];
    } catch (error) {
      [status, payload] = [400, { error: `unreadable request: ${describe(error)}` }];
    }

    let text: string;
    try {
      text = JSON.stringify(payload);
    } catch (error) {
      status = 502;
      text = JSON.stringify({ error: `The result is not JSON: ${describe(error)}` });
    }
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }
}

/**
 * Evaluates the action's code as a CommonJS module of its own file, so that `require` and
 * `module.exports` behave as under the runtime. The entry point is looked up among the
 * module's exports first, then as a global, as the runtime does for plain scripts.
 */
function load(name: string, code: string, binary: boolean, mainName: string): ActionMain {
  const source = binary ? Buffer.from(code, 'base64') : Buffer.from(code, 'utf8');
  if (source.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    throw new Error('zip archives are not supported by this runner; deploy a single-file bundle');
  }

  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-action-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, `${name.replace(/[^\w.-]+/g, '_')}.cjs`);
  writeFileSync(file, source);
  const exported = createRequire(file)(file) as Record<string, unknown>;

  const candidate =
    exported?.[mainName] ??
    (typeof exported === 'function' && mainName === 'main' ? exported : undefined) ??
    (globalThis as Record<string, unknown>)[mainName];
  if (typeof candidate !== 'function') {
    throw new Error(`the code exports no function "${mainName}"`);
  }
  return candidate as ActionMain;
}

function writeMarkers() {
  process.stdout.write(`${ACTIVATION_END_MARKER}\n`);
  process.stderr.write(`${ACTIVATION_END_MARKER}\n`);
}

function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return { name: error.name, message: error.message, stack: error.stack };
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? {} : JSON.parse(text);
}
