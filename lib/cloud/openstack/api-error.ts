import { ErrorCode, WhiskpoolError } from '../../errors.ts';

/** Which call failed, for messages that name the thing. */
export interface CallContext {
  provider: string;
  service: string;
  method: string;
  path: string;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
}

const QUOTA_WORDS = /quota|over ?limit|rate-?limit/i;

/**
 * Turns an OpenStack error response into a WhiskpoolError. Nova answers an exhausted quota
 * with 403 (413 before microversions) and a body saying "Quota exceeded"; only the body tells
 * it apart from a policy refusal, so the body is read for it.
 */
export function apiError(
  context: CallContext,
  response: ApiResponse,
  secrets: readonly string[] = [],
): WhiskpoolError {
  const { status } = response;
  const said = redact(serverMessage(response.text), secrets);
  const what = `provider '${context.provider}': ${context.service} ${context.method} ` +
    `${context.path} answered ${status}${said ? `: ${said}` : ''}`;
  const retryAfterMs = retryAfter(response.headers.get('retry-after'));

  if ((status === 403 || status === 413) && QUOTA_WORDS.test(response.text)) {
    return new WhiskpoolError(ErrorCode.QuotaExceeded, what, { retryable: true, retryAfterMs });
  }
  if (status >= 500 || status === 429) {
    return new WhiskpoolError(ErrorCode.CloudUnavailable, what, { retryable: true, retryAfterMs });
  }
  if (status === 404) return new WhiskpoolError(ErrorCode.CloudNotFound, what);
  if (status === 401) return new WhiskpoolError(ErrorCode.CloudAuthFailed, what);

  // Nova says 409 while an instance is busy with another task; the same call can succeed later.
  return new WhiskpoolError(ErrorCode.CloudRequestRefused, what, { retryable: status === 409 });
}

/** A call that got no answer: refused connection, reset, DNS failure or timeout. */
export function transportError(
  context: CallContext,
  cause: unknown,
  timeoutMs: number,
): WhiskpoolError {
  const reason = isTimeout(cause) ? `no answer within ${timeoutMs} ms` : describeCause(cause);
  return new WhiskpoolError(
    ErrorCode.CloudUnavailable,
    `provider '${context.provider}': ${context.service} ${context.method} ${context.path} ` +
      `failed: ${reason}`,
    { retryable: true, cause },
  );
}

/**
 * The human part of an error body. Nova wraps it as `{"<faultName>": {"message": ...}}`,
 * Keystone as `{"error": {"message": ...}}`, Glance often sends plain text or HTML.
 */
export function serverMessage(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';

  try {
    const body: unknown = JSON.parse(trimmed);
    const found = messageIn(body);
    if (found !== undefined) return clip(found);
  } catch {
    // Not JSON: fall through to the text form.
  }
  return clip(trimmed.replace(/<[^>]*>/g, ' '));
}

function messageIn(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record.message === 'string') return record.message;

  for (const value of Object.values(record)) {
    if (typeof value === 'object' && value !== null) {
      const inner = (value as Record<string, unknown>).message;
      if (typeof inner === 'string') return inner;
    }
  }
  return undefined;
}

/** An error body could echo what it was sent; nothing secret may reach a message. */
function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => (secret ? out.split(secret).join('[secret]') : out), text);
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}...` : flat;
}

/** Retry-After is either seconds or an HTTP date. */
export function retryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;

  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function isTimeout(cause: unknown): boolean {
  return cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = (cause as Error & { cause?: unknown }).cause;
  if (inner instanceof Error) {
    const code = (inner as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${inner.message})` : inner.message;
  }
  return cause.message;
}
