/**
 * Every failure whiskpool expects has a stable code and says whether trying again can help.
 * Tests and operators match on `code`; the message is for people and may change.
 */
export const ErrorCode = {
  ConfigInvalid: 'WP_CONFIG_INVALID',
  QuotaExceeded: 'WP_QUOTA_EXCEEDED',
  CloudUnavailable: 'WP_CLOUD_UNAVAILABLE',
  CloudRequestRefused: 'WP_CLOUD_REQUEST_REFUSED',
  CloudNotFound: 'WP_CLOUD_NOT_FOUND',
  CloudAuthFailed: 'WP_CLOUD_AUTH_FAILED',
  JenkinsUnavailable: 'WP_JENKINS_UNAVAILABLE',
  JenkinsRequestRefused: 'WP_JENKINS_REQUEST_REFUSED',
  GearmanUnavailable: 'WP_GEARMAN_UNAVAILABLE',
  EventInvalid: 'WP_EVENT_INVALID',
  NodeNotFound: 'WP_NODE_NOT_FOUND',
  NodeStateConflict: 'WP_NODE_STATE_CONFLICT',
  IllegalTransition: 'WP_ILLEGAL_TRANSITION',
  LaunchFailed: 'WP_LAUNCH_FAILED',
  ReadyCheckFailed: 'WP_READY_CHECK_FAILED',
  ActionFailed: 'WP_ACTION_FAILED',
  UsageInvalid: 'WP_USAGE_INVALID',
  GearmanRequestRefused: 'WP_GEARMAN_REQUEST_REFUSED',
  ImageNotFound: 'WP_IMAGE_NOT_FOUND',
  /** A step of a snapshot image refresh went wrong on the template server. */
  ImageRefreshFailed: 'WP_IMAGE_REFRESH_FAILED',
  /** OpenWhisk refused or failed a deployment call. */
  DeployFailed: 'WP_DEPLOY_FAILED',
  /** Another process held the schema migration lock for longer than we wait. */
  MigrationLocked: 'WP_MIGRATION_LOCKED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface WhiskpoolErrorOptions {
  retryable?: boolean;
  /** How long a caller should wait before trying again, when the cause says so. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class WhiskpoolError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: WhiskpoolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WhiskpoolError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The shape an action returns for an expected failure. */
  toResult(): ActionError {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

export interface ActionError {
  code: string;
  message: string;
  retryable: boolean;
}

export function isWhiskpoolError(error: unknown, code?: ErrorCode): error is WhiskpoolError {
  return error instanceof WhiskpoolError && (code === undefined || error.code === code);
}
