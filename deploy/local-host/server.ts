import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from '../../lib/log.ts';
import { activationRecord } from '../action-proxy/activation.ts';
import type { ActionRunner } from './runners.ts';

export type { ActionMain } from './runners.ts';

export interface LocalHostOptions {
  runner: ActionRunner;
  /** `uuid:key`, as OpenWhisk's API keys are. */
  apiKey: string;
  /** The package's default parameters, merged under each invocation's own. */
  defaultParams(): Record<string, unknown>;
  log: Logger;
  port?: number;
}

export interface LocalHost {
  url: string;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/actions\/(?:([^/]+)\/)?([^/?]+)$/;

/**
 * The embedded default's stand-in for an OpenWhisk deployment: it answers the blocking
 * invocation call of OpenWhisk's REST API with the same activation records, so the
 * dispatcher talks to it exactly as it talks to OpenWhisk in production.
 */
export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const expected = Buffer.from(`Basic ${Buffer.from(options.apiKey).toString('base64')}`);

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.log.error({ err: error }, 'local host request failed');
      if (!response.headersSent) reply(response, 500, { error: 'internal error' });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = INVOKE_PATH.exec(url.pathname);
    if (request.method !== 'POST' || !match) {
      reply(response, 404, { error: 'The requested resource does not exist.' });
      return;
    }

    const auth = Buffer.from(request.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      reply(response, 401, { error: 'The supplied authentication is invalid.' });
      return;
    }

    const name = decodeURIComponent(match[3] ?? '');
    if (!options.runner.names().includes(name)) {
      reply(response, 404, { error: `The requested resource does not exist: action ${name}` });
      return;
    }

    const params = (await readJson(request)) as Record<string, unknown>;
    const activation = await run(name, { ...options.defaultParams(), ...params });
    const blocking = url.searchParams.get('blocking') === 'true';
    if (!blocking) {
      reply(response, 202, { activationId: activation.activationId });
      return;
    }
    reply(response, activation.response.success ? 200 : 502, activation);
  }

  async function run(name: string, params: Record<string, unknown>) {
    const activationId = randomBytes(16).toString('hex');
    const start = Date.now();
    const outcome = await options.runner.run(name, params, activationId);
    return activationRecord({
      activationId,
      namespace: '_',
      path: name,
      subject: 'whiskpool',
      start,
      end: Date.now(),
      outcome,
      kind: 'nodejs:20',
    });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function reply(response: ServerResponse, status: number, body: unknown) {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  response.end(payload);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? {} : JSON.parse(text);
}
