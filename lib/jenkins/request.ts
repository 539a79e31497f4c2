import { ErrorCode, WhiskpoolError } from '../errors.ts';
import { BodyTooLargeError, readBody } from '../http/body.ts';
import type { Logger } from '../log.ts';
import type { JenkinsTarget } from './types.ts';

export interface RequestOptions {
  /** Form fields sent as `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** A 404 is an answer the caller handles, not an error. */
  notFoundIsAnswer?: boolean;
  /** Other error answers the caller handles itself. */
  accept?: (answer: Answer) => boolean;
}

export interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

interface Crumb {
  field: string;
  value: string;
}

/** Jenkins answers 403 with this wording when a POST lacks a valid CSRF crumb. */
const CRUMB_REFUSAL = /crumb/i;

const SNIPPET_LENGTH = 200;

/** Far above the computer list of a Jenkins with thousands of agents. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * The HTTP side of talking to one Jenkins: basic auth with the API token, the CSRF crumb
 * on every POST, timeouts, and turning failures into typed errors that never carry the key.
 */
export class JenkinsRequester {
  readonly target: JenkinsTarget;
  private readonly base: URL;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly log: Logger;

  /** `null` once Jenkins said it has no crumb issuer (CSRF protection off). */
  private crumb: Crumb | null | undefined;
  /** Newer Jenkins ties a crumb to the session that asked for it, so the cookie goes along. */
  private sessionCookie: string | undefined;

  constructor(target: JenkinsTarget, timeoutMs: number, log: Logger) {
    this.target = target;
    this.base = rootUrl(target.url);
    this.authorization =
      'Basic ' + Buffer.from(`${target.user}:${target.apiKey}`).toString('base64');
    this.timeoutMs = timeoutMs;
    this.log = log;
  }

  /** Sends one request; retries a POST once with a fresh crumb when Jenkins refuses the old one. */
  async request(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    options: RequestOptions = {},
  ): Promise<Answer> {
    if (method === 'GET') {
      const answer = await this.send(operation, method, path, undefined, undefined);
      return this.judge(operation, method, path, answer, options);
    }

    const crumb = await this.currentCrumb(operation);
    const first = await this.send(operation, method, path, options.form, crumb);
    if (first.status !== 403 || !CRUMB_REFUSAL.test(first.body)) {
      return this.judge(operation, method, path, first, options);
    }

    this.log.debug({ target: this.target.name, operation }, 'jenkins refused the crumb; renewing');
    this.crumb = undefined;
    const fresh = await this.currentCrumb(operation);
    const second = await this.send(operation, method, path, options.form, fresh);
    return this.judge(operation, method, path, second, options);
  }

  private async currentCrumb(operation: string): Promise<Crumb | null> {
    if (this.crumb !== undefined) return this.crumb;

    const answer = await this.send(operation, 'GET', 'crumbIssuer/api/json', undefined, undefined);
    if (answer.status === 404) {
      this.crumb = null;
      return null;
    }
    this.judge(operation, 'GET', 'crumbIssuer/api/json', answer, {});

    const cookies = answer.headers.getSetCookie().map((line) => line.split(';')[0] ?? '');
    if (cookies.length > 0) this.sessionCookie = cookies.filter(Boolean).join('; ');

    const parsed = parseJson(answer.body) as { crumb?: unknown; crumbRequestField?: unknown };
    if (typeof parsed?.crumb !== 'string' || typeof parsed.crumbRequestField !== 'string') {
      throw this.refused(operation, 'GET crumbIssuer/api/json', 'answered without a crumb');
    }

    this.crumb = { field: parsed.crumbRequestField, value: parsed.crumb };
    return this.crumb;
  }

  private async send(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    form: Record<string, string> | undefined,
    crumb: Crumb | null | undefined,
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      authorization: this.authorization,
      accept: 'application/json, text/html;q=0.5, */*;q=0.1',
    };
    if (crumb) headers[crumb.field] = crumb.value;
    if (this.sessionCookie) headers.cookie = this.sessionCookie;

    let body: string | undefined;
    if (method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form ?? {}).toString();
    }

    try {
      // Jenkins answers a successful POST with a redirect; following it would only fetch a page.
      const response = await fetch(new URL(path, this.base), {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await readBody(response, MAX_ANSWER_BYTES);
      return { status: response.status, body: text, headers: response.headers };
    } catch (error) {
      const reason = isTimeout(error)
        ? `no answer within ${this.timeoutMs} ms`
        : error instanceof BodyTooLargeError
          ? error.message
          : `connection failed (${describeCause(error)})`;
      throw new WhiskpoolError(
        ErrorCode.JenkinsUnavailable,
        this.scrub(`jenkins '${this.target.name}' ${operation}: ${method} ${path}: ${reason}`),
        { retryable: true },
      );
    }
  }

  private judge(
    operation: string,
    method: string,
    path: string,
    answer: Answer,
    options: RequestOptions,
  ): Answer {
    if (answer.status < 400) return answer;
    if (answer.status === 404 && options.notFoundIsAnswer) return answer;
    if (options.accept?.(answer)) return answer;

    const what = `${method} ${path}`;
    const reason = `answered ${answer.status}${snippet(answer.body)}`;
    if (answer.status >= 500 || answer.status === 429) {
      throw new WhiskpoolError(
        ErrorCode.JenkinsUnavailable,
        this.scrub(`jenkins '${this.target.name}' ${operation}: ${what} ${reason}`),
        { retryable: true, retryAfterMs: retryAfter(answer.headers) },
      );
    }
    throw this.refused(operation, what, reason);
  }

  refused(operation: string, what: string, reason: string): WhiskpoolError {
    return new WhiskpoolError(
      ErrorCode.JenkinsRequestRefused,
      this.scrub(`jenkins '${this.target.name}' ${operation}: ${what} ${reason}`),
    );
  }

  /** Jenkins error pages can echo request details; the key must not ride along into a message. */
  private scrub(message: string): string {
    let clean = message;
    for (const secret of [this.target.apiKey, this.authorization.slice('Basic '.length)]) {
      if (secret.length > 0) clean = clean.split(secret).join('[secret]');
    }
    return clean;
  }
}

/** The target URL without credentials someone may have written into it, ending in `/`. */
function rootUrl(url: string): URL {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short, single-line excerpt of an answer's body; Jenkins' error pages are HTML. */
function snippet(body: string): string {
  const text = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length === 0) return '';
  return `: ${text.length > SNIPPET_LENGTH ? text.slice(0, SNIPPET_LENGTH) + '...' : text}`;
}

function retryAfter(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function describeCause(error: unknown): string {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ?? cause.message;
  }
  return String(cause);
}
