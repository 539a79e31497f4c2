import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from '../../lib/log.ts';
import { createActivations, type Activations } from './activations.ts';
import { createAlarmProvider, type AlarmView } from './alarms.ts';
import { ApiError } from './entities.ts';
import { routeRequest, type Call } from './routes.ts';
import { QUERY_OPTIONS } from './shapes.ts';
import { EntityStore } from './store.ts';

export interface OpenWhiskSimOptions {
  port?: number;
  /** `uuid:key` of the one namespace this stand-in serves. */
  apiKey: string;
  namespace?: string;
  /** The operator's top for intra-container concurrency (stock OpenWhisk: 1). */
  maxConcurrency?: number;
  /** How long a blocking invocation waits before answering 202 (OpenWhisk: 60 s). */
  blockingWaitMs?: number;
  maxContainersPerAction?: number;
  /** Where action containers' output goes. */
  output?: NodeJS.WritableStream;
  log: Logger;
}

/** A request the stand-in refused for its shape: what deployment code must never send. */
export interface Refusal {
  method: string;
  path: string;
  status: number;
  problems: string[];
}

export interface OpenWhiskSim {
  url: string;
  namespace: string;
  store: EntityStore;
  activations: Activations;
  alarms(): AlarmView[];
  /** Fires every active alarm now, as the alarm provider would on its schedule. */
  fireAlarms(): number;
  refusals(): Refusal[];
  close(): Promise<void>;
}

const COLLECTIONS = 'packages|actions|triggers|rules|activations';
const API_PREFIX = new RegExp(`^/api/v1/namespaces/([^/]+)/(${COLLECTIONS})(?:/(.*))?$`);

/**
 * A stand-in for OpenWhisk's controller and invoker: packages, actions, triggers, rules and
 * activations over the REST API the `openwhisk` client and `wsk` use, the alarm feed
 * `/whisk.system/alarms/alarm`, and invocations that run each action's deployed code in
 * containers speaking the action-proxy protocol. Every request body and query is checked
 * against what the controller accepts.
 */
export async function startOpenWhiskSim(options: OpenWhiskSimOptions): Promise<OpenWhiskSim> {
  const namespace = options.namespace ?? 'guest';
  const expected = Buffer.from(`Basic ${Buffer.from(options.apiKey).toString('base64')}`);
  const store = new EntityStore();
  const refused: Refusal[] = [];
  let url = '';

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.log.error({ err: error }, 'openwhisk stand-in request failed');
      if (!response.headersSent) reply(response, 500, { error: 'internal error', code: tid() });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const activations = createActivations({
    apiHost: url,
    maxContainersPerAction: options.maxContainersPerAction,
    output: options.output,
  });
  const alarms = createAlarmProvider(
    (ns, trigger) => store.triggers.has(`${ns}/${trigger}`),
    (ns, trigger, payload) => {
      void routeRequest(context(), {
        method: 'POST',
        namespace: ns,
        caller: ns,
        collection: 'triggers',
        path: [trigger],
        query: new URLSearchParams(),
        body: payload,
      }).catch((error: unknown) => options.log.warn({ err: error, trigger }, 'alarm fire failed'));
    },
  );

  function context() {
    return {
      store,
      activations,
      alarms,
      apiKey: options.apiKey,
      maxConcurrency: options.maxConcurrency ?? 100,
      blockingWaitMs: options.blockingWaitMs ?? 60_000,
      log: options.log,
    };
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const parsed = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';

    if (parsed.pathname.startsWith('/_sim/')) {
      await simControl(parsed.pathname, method, response);
      return;
    }

    const match = API_PREFIX.exec(parsed.pathname);
    if (!match) {
      reply(response, 404, { error: NOT_FOUND_TEXT, code: tid() });
      return;
    }
    const auth = Buffer.from(request.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      reply(response, 401, { error: 'The supplied authentication is invalid', code: tid() });
      return;
    }

    const call: Call = {
      method,
      namespace: match[1] === '_' ? namespace : decodeURIComponent(match[1] ?? ''),
      caller: namespace,
      collection: match[2] as Call['collection'],
      path: (match[3] ?? '').split('/').filter(Boolean).map(decodeURIComponent),
      query: parsed.searchParams,
      body: undefined,
    };
    try {
      checkQuery(call);
      call.body = await readBody(request);
      if (call.namespace !== namespace && call.namespace !== 'whisk.system') {
        const denied = `access '${call.namespace}'`;
        throw new ApiError(403, `The supplied authentication is not authorized to ${denied}.`);
      }
      const [status, body] = await routeRequest(context(), call);
      if (status === 204) {
        response.writeHead(204);
        response.end();
      } else {
        reply(response, status, body);
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.problems.length > 0) {
        const { status, problems } = error;
        refused.push({ method, path: parsed.pathname, status, problems });
        options.log.warn({ method, path: parsed.pathname, problems: error.problems }, 'refused');
      }
      reply(response, error.status, { error: error.message, code: tid() });
    }
  }

  async function simControl(path: string, method: string, response: ServerResponse) {
    if (path === '/_sim/state' && method === 'GET') {
      reply(response, 200, {
        entities: store.counts(),
        alarms: alarms.list(),
        containers: activations.pool.containers(),
        refusals: refused,
      });
    } else if (path === '/_sim/alarms/fire' && method === 'POST') {
      reply(response, 200, { fired: alarms.fireAll() });
    } else {
      reply(response, 404, { error: NOT_FOUND_TEXT, code: tid() });
    }
  }

  return {
    url,
    namespace,
    store,
    activations,
    alarms: () => alarms.list(),
    fireAlarms: () => alarms.fireAll(),
    refusals: () => [...refused],
    async close() {
      alarms.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await activations.stop();
    },
  };
}

const NOT_FOUND_TEXT = 'The requested resource does not exist.';

/** Query keys are checked too: the controller refuses options it does not know. */
function checkQuery(call: Call) {
  const allowed: readonly string[] =
    call.method === 'PUT'
      ? QUERY_OPTIONS.put
      : call.method === 'GET'
        ? QUERY_OPTIONS.get
        : call.method === 'POST' && ['actions', 'triggers'].includes(call.collection)
          ? QUERY_OPTIONS.invoke
          : QUERY_OPTIONS.none;
  const unknown = [...call.query.keys()].filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new ApiError(400, `Unknown query options: ${unknown.join(', ')}`, [
      `query: ${unknown.join(', ')} not accepted on ${call.method} ${call.collection}`,
    ]);
  }
  for (const flag of ['overwrite', 'blocking', 'result', 'code'] as const) {
    const value = call.query.get(flag);
    if (value !== null && value !== 'true' && value !== 'false') {
      throw new ApiError(400, `${flag} must be true or false`, [`query.${flag}: ${value}`]);
    }
  }
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const type = request.headers['content-type'] ?? '';
  if (!type.includes('application/json')) {
    throw new ApiError(415, 'The request content type must be application/json', [
      `content-type: ${type || 'none'}`,
    ]);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'The request content was malformed: not JSON', ['body: not JSON']);
  }
}

function reply(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** OpenWhisk names each request with a transaction id; errors carry it as `code`. */
function tid(): string {
  return randomBytes(16).toString('hex');
}
