import type { IncomingMessage, ServerResponse } from 'node:http';

/** Thrown by handlers to answer with an error body in the service's own format. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** Nova's error body: `{"<faultName>": {"code": N, "message": "..."}}`. */
export function novaFailure(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): HttpFailure {
  const body: Record<string, unknown> = { code: status, message };
  if (status === 413) body.retryAfter = headers['Retry-After'] ?? '0';
  return new HttpFailure(
    status,
    JSON.stringify({ [NOVA_FAULT_NAMES[status] ?? 'computeFault']: body }),
    { 'Content-Type': 'application/json', ...headers },
  );
}

const NOVA_FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  429: 'overLimit',
  500: 'computeFault',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

/** Keystone's (and keystonemiddleware's) error body. */
export function keystoneFailure(status: number, title: string, message: string): HttpFailure {
  return new HttpFailure(status, JSON.stringify({ error: { code: status, title, message } }), {
    'Content-Type': 'application/json',
  });
}

/** Glance answers errors with a small HTML page from webob. */
export function glanceFailure(status: number, reason: string, detail: string): HttpFailure {
  const title = `${status} ${reason}`;
  const html =
    `<html>\n <head>\n  <title>${title}</title>\n </head>\n <body>\n  <h1>${title}</h1>\n` +
    `  ${detail}<br /><br />\n\n\n\n </body>\n</html>`;
  return new HttpFailure(status, html, { 'Content-Type': 'text/html; charset=UTF-8' });
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export function sendEmpty(response: ServerResponse, status: number, headers = {}): void {
  response.writeHead(status, { 'Content-Length': 0, ...headers });
  response.end();
}

export function sendFailure(response: ServerResponse, failure: HttpFailure): void {
  response.writeHead(failure.status, {
    'Content-Length': Buffer.byteLength(failure.body),
    ...failure.headers,
  });
  response.end(failure.body);
}

/** The request body as JSON; an empty body is `undefined`. */
export async function readJson(request: IncomingMessage, onBad: HttpFailure): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;

  try {
    return JSON.parse(text);
  } catch {
    throw onBad;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A request as the services see it, with any endpoint prefix already taken off. */
export interface SimRequest {
  method: string;
  /** Path below the service root, e.g. `/servers/detail`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: IncomingMessage;
  /** Scheme, host and prefix under which this service was reached, for links. */
  base: string;
}
