import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in sends back for one request. */
export interface Reply {
  status?: number;
  /** A string is sent as it is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Streams this many bytes of JSON-looking filler, chunked, with no content-length. */
  streamBytes?: number;
}

export type Route = (method: string, path: string) => Reply;

export interface HttpStandIn {
  url: string;
  /** What every later request is answered with. */
  answer(route: Route): void;
  /** Requests seen since the last `answer`, as `METHOD path`. */
  readonly seen: string[];
  close(): Promise<void>;
}

/** A tiny HTTP server on 127.0.0.1 that answers whatever the current case says. */
export async function startHttpStandIn(): Promise<HttpStandIn> {
  let route: Route = () => ({ status: 404, body: '' });
  const seen: string[] = [];

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      const method = request.method ?? 'GET';
      const path = request.url ?? '/';
      seen.push(`${method} ${path}`);
      send(response, route(method, path));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    answer(next) {
      route = next;
      seen.length = 0;
    },
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(response: ServerResponse, reply: Reply) {
  const headers = { 'content-type': 'application/json', ...reply.headers };
  response.on('error', () => undefined);

  if (reply.streamBytes !== undefined) {
    response.writeHead(reply.status ?? 200, headers);
    stream(response, reply.streamBytes);
    return;
  }

  const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
  response.writeHead(reply.status ?? 200, headers);
  response.end(body);
}

/** Writes filler a megabyte at a time, stopping early once the client hangs up. */
function stream(response: ServerResponse, bytes: number) {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  let left = bytes;
  response.write('{"padding":"');
  const more = () => {
    while (left > 0 && !response.destroyed) {
      left -= chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', more);
        return;
      }
    }
    if (!response.destroyed) response.end('"}');
  };
  more();
}
