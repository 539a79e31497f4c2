import type { ServerResponse } from 'node:http';

/** Writes one answer; handlers return these so that faults and errors can replace them. */
export type Reply = (response: ServerResponse) => void;

/** Thrown by a handler to answer with an error page. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function json(status: number, body: unknown): Reply {
  return (response) => {
    response.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    response.end(JSON.stringify(body));
  };
}

export function redirect(location: string): Reply {
  return (response) => {
    response.writeHead(302, { location });
    response.end();
  };
}

export function notFound(): Reply {
  return page(404, 'Error 404 Not Found', 'Not Found');
}

/** An error page the way Jenkins renders one: HTML, the reason in the body. */
export function page(status: number, title: string, message: string): Reply {
  return (response) => {
    response.writeHead(status, { 'content-type': 'text/html;charset=utf-8' });
    response.end(
      `<!DOCTYPE html><html><head><title>${escape(title)} [Jenkins]</title></head>` +
        `<body><h1>${escape(title)}</h1><p>${escape(message)}</p></body></html>`,
    );
  };
}

function escape(text: string) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
