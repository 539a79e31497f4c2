import { ErrorCode, WhiskpoolError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { apiError, type CallContext } from './api-error.ts';
import { findEndpoint } from './catalog.ts';
import type { KeystoneSession, Token } from './keystone.ts';
import { send, type HttpResponse } from './transport.ts';

export type Service = 'compute' | 'image' | 'network';

export interface SessionOptions {
  provider: string;
  keystone: KeystoneSession;
  /** `public` (default), `internal` or `admin`. */
  interface: string;
  region?: string;
  timeoutMs: number;
  computeMicroversion: string;
  log: Logger;
}

export interface CallOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
}

/**
 * Authenticated calls to one service of one cloud. A 401 renews the token once and repeats
 * the call, since Keystone may revoke tokens before their stated expiry.
 */
export class ServiceSession {
  constructor(private readonly options: SessionOptions) {}

  /** The parsed JSON answer of a 2xx response; undefined when it had no body. */
  async call<T>(service: Service, method: string, path: string, call: CallOptions = {}) {
    return (await this.exchangeJson<T>(service, method, path, call)).body;
  }

  /** As `call`, with the response's headers, for answers that carry their result there. */
  async exchangeJson<T>(service: Service, method: string, path: string, call: CallOptions = {}) {
    const context: CallContext = {
      provider: this.options.provider,
      service,
      method,
      path,
    };

    let token = await this.options.keystone.token();
    let response = await this.exchange(token, service, method, path, call, context);
    if (response.status === 401) {
      this.options.log.warn(
        { provider: this.options.provider, service, path },
        'token refused; renewing it once',
      );
      this.options.keystone.invalidate(token);
      token = await this.options.keystone.token();
      response = await this.exchange(token, service, method, path, call, context);
    }

    if (response.status < 200 || response.status >= 300) {
      throw apiError(context, response, this.options.keystone.secrets());
    }
    return { body: parseJson<T>(response, context), headers: response.headers };
  }

  private async exchange(
    token: Token,
    service: Service,
    method: string,
    path: string,
    call: CallOptions,
    context: CallContext,
  ): Promise<HttpResponse> {
    const url = new URL(`${this.endpoint(token, service)}${path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }

    const headers: Record<string, string> = { 'X-Auth-Token': token.value };
    if (service === 'compute') {
      const version = this.options.computeMicroversion;
      headers['X-OpenStack-Nova-API-Version'] = version;
      headers['OpenStack-API-Version'] = `compute ${version}`;
    }

    const started = Date.now();
    const response = await send(
      { method, url: url.toString(), headers, body: call.body },
      this.options.timeoutMs,
      context,
    );
    this.options.log.debug(
      { provider: this.options.provider, service, method, path, status: response.status,
        ms: Date.now() - started },
      'cloud call',
    );
    return response;
  }

  private endpoint(token: Token, service: Service): string {
    const found = findEndpoint(token.catalog, {
      type: service,
      interface: this.options.interface,
      region: this.options.region,
    });
    if ('url' in found) return found.url;

    throw new WhiskpoolError(
      ErrorCode.CloudRequestRefused,
      `provider '${this.options.provider}': ${found.missing}`,
    );
  }
}

function parseJson<T>(response: HttpResponse, context: CallContext): T | undefined {
  if (response.text.trim() === '') return undefined;
  try {
    return JSON.parse(response.text) as T;
  } catch (cause) {
    throw new WhiskpoolError(
      ErrorCode.CloudUnavailable,
      `provider '${context.provider}': ${context.service} ${context.method} ${context.path} ` +
        `answered ${response.status} with a body that is not JSON`,
      { retryable: true, cause },
    );
  }
}
