import { z } from 'zod';

import { ErrorCode, WhiskpoolError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { apiError, type CallContext } from './api-error.ts';
import { identityV3Url } from './auth-url.ts';
import type { CatalogEntry } from './catalog.ts';
import { send } from './transport.ts';

export interface KeystoneCredentials {
  authUrl: string;
  username: string;
  password: string;
  /** Scope by name (with `projectDomainName`) or by id; the id wins when both are given. */
  projectName?: string;
  projectId?: string;
  /** Default "Default", Keystone's built-in domain. */
  userDomainName?: string;
  /** Defaults to the user's domain. */
  projectDomainName?: string;
}

export interface Token {
  /** Never logged, never put in a message. */
  readonly value: string;
  /** Epoch ms, or undefined when Keystone gave no usable `expires_at`. */
  readonly expiresAt: number | undefined;
  readonly catalog: CatalogEntry[];
}

/** Renew at most this long before expiry. */
const RENEW_MARGIN_MS = 60_000;

/**
 * A project-scoped Keystone v3 token, fetched on first use and renewed shortly before it
 * expires. Concurrent callers share one request for a new token.
 */
export class KeystoneSession {
  private current: Token | undefined;
  private renewAt = 0;
  private pending: Promise<Token> | undefined;
  private tokensIssued = 0;

  constructor(
    private readonly credentials: KeystoneCredentials,
    private readonly provider: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** How many tokens this session has obtained; exposed for tests and metrics. */
  get issued(): number {
    return this.tokensIssued;
  }

  async token(now = Date.now()): Promise<Token> {
    if (this.current && now < this.renewAt) return this.current;
    this.pending ??= this.authenticate().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * Forgets a token the cloud refused. Only the token that failed is dropped: when several
   * calls hit a 401 together, the first renews and the rest reuse the new token.
   */
  invalidate(token: Token): void {
    if (this.current === token) this.current = undefined;
  }

  /** The password and current token, for scrubbing messages. */
  secrets(): string[] {
    return [this.credentials.password, this.current?.value ?? ''].filter((s) => s !== '');
  }

  private async authenticate(): Promise<Token> {
    const url = `${identityV3Url(this.credentials.authUrl)}/auth/tokens`;
    const context: CallContext = {
      provider: this.provider,
      service: 'identity',
      method: 'POST',
      path: url,
    };

    const response = await send(
      { method: 'POST', url, headers: {}, body: this.requestBody() },
      this.timeoutMs,
      context,
    );
    if (response.status === 401) {
      throw new WhiskpoolError(
        ErrorCode.CloudAuthFailed,
        `provider '${this.provider}': Keystone at ${url} refused the credentials of user ` +
          `'${this.credentials.username}' for project '${this.scopeName()}'`,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      throw apiError(context, response, [this.credentials.password]);
    }

    const value = response.headers.get('x-subject-token');
    const body = parseTokenBody(response.text);
    if (!value || 'problem' in body) {
      const problem = 'problem' in body ? body.problem : 'no X-Subject-Token header';
      throw new WhiskpoolError(
        ErrorCode.CloudUnavailable,
        `provider '${this.provider}': Keystone at ${url} answered ${response.status} ` +
          `without a usable token: ${problem}`,
        { retryable: true },
      );
    }

    const now = Date.now();
    const expiresAt = parseExpiry(body.expires_at);
    const token: Token = { value, expiresAt, catalog: body.catalog ?? [] };
    this.current = token;
    this.renewAt = renewTime(now, expiresAt);
    this.tokensIssued += 1;
    this.log.info(
      { provider: this.provider, expiresAt: body.expires_at },
      'obtained a Keystone token',
    );
    return token;
  }

  private requestBody(): unknown {
    const c = this.credentials;
    const userDomain = c.userDomainName ?? 'Default';
    const project =
      c.projectId !== undefined
        ? { id: c.projectId }
        : { name: c.projectName, domain: { name: c.projectDomainName ?? userDomain } };

    return {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: c.username, domain: { name: userDomain }, password: c.password },
          },
        },
        scope: { project },
      },
    };
  }

  private scopeName(): string {
    return this.credentials.projectId ?? this.credentials.projectName ?? '';
  }
}

const endpointSchema = z.object({
  url: z.string().min(1),
  interface: z.string(),
  region: z.string().nullish(),
  region_id: z.string().nullish(),
});

const tokenBodySchema = z.object({
  token: z.object({
    expires_at: z.string().optional(),
    catalog: z
      .array(
        z.object({
          type: z.string(),
          name: z.string().optional(),
          endpoints: z.array(endpointSchema),
        }),
      )
      .optional(),
  }),
});

type TokenBody = z.infer<typeof tokenBodySchema>['token'];

/**
 * The token's body, checked: every later call looks its endpoints up in the catalog, so a
 * catalog of the wrong shape must be refused here rather than fail each call strangely.
 */
function parseTokenBody(text: string): TokenBody | { problem: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { problem: 'the body is not JSON' };
  }

  const parsed = tokenBodySchema.safeParse(body);
  if (parsed.success) return parsed.data.token;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  return { problem: `${where}: ${issue?.message ?? 'invalid'}` };
}

/** Keystone writes microseconds (`2015-11-07T02:58:43.578887Z`); milliseconds are enough. */
export function parseExpiry(expiresAt: string | undefined): number | undefined {
  if (expiresAt === undefined) return undefined;
  const normal = expiresAt.replace(/(\.\d{3})\d+/, '$1');
  const withZone = /(Z|[+-]\d\d:?\d\d)$/.test(normal) ? normal : `${normal}Z`;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * When to fetch the next token: a minute before expiry, or a tenth of the lifetime for short
 * tokens, so a short-lived token is still reused a few times.
 */
export function renewTime(now: number, expiresAt: number | undefined): number {
  if (expiresAt === undefined) return Number.POSITIVE_INFINITY;
  const lifetime = Math.max(0, expiresAt - now);
  return expiresAt - Math.min(RENEW_MARGIN_MS, lifetime / 10);
}
