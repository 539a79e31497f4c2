import { readBody } from '../../http/body.ts';
import { transportError, type CallContext } from './api-error.ts';

/** Far above a page of a thousand servers, Nova's largest page. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One HTTP exchange with a deadline covering the whole response, body included: a cloud that
 * sends headers and then stalls must not hang the caller.
 */
export async function send(
  request: HttpRequest,
  timeoutMs: number,
  context: CallContext,
): Promise<HttpResponse> {
  const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';

  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readBody(response, MAX_BODY_BYTES);
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    throw transportError(context, error, timeoutMs);
  }
}
