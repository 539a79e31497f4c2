/** The outcome classes of an OpenWhisk activation, with the status codes its records carry. */
export const ActivationStatus = {
  Success: 'success',
  ApplicationError: 'application error',
  DeveloperError: 'action developer error',
  WhiskError: 'whisk internal error',
} as const;
export type ActivationStatus = (typeof ActivationStatus)[keyof typeof ActivationStatus];

const STATUS_CODES: Record<ActivationStatus, number> = {
  success: 0,
  'application error': 1,
  'action developer error': 2,
  'whisk internal error': 3,
};

export interface RunOutcome {
  result: Record<string, unknown>;
  status: ActivationStatus;
  logs: string[];
  /** Milliseconds spent in `/init` when this activation started a container. */
  initMs?: number;
  /** Milliseconds the activation waited for a container slot. */
  waitMs?: number;
}

export interface ActivationRecord {
  activationId: string;
  namespace: string;
  name: string;
  version: string;
  subject: string;
  start: number;
  end: number;
  duration: number;
  publish: false;
  response: {
    status: ActivationStatus;
    statusCode: number;
    success: boolean;
    result: Record<string, unknown>;
  };
  logs: string[];
  annotations: { key: string; value: unknown }[];
}

export interface RecordInput {
  activationId: string;
  namespace: string;
  /** `pkg/name` or `name`. */
  path: string;
  subject: string;
  start: number;
  end: number;
  outcome: RunOutcome;
  kind?: string;
  limits?: Record<string, unknown>;
}

/** An activation record in the shape OpenWhisk's API returns and stores. */
export function activationRecord(input: RecordInput): ActivationRecord {
  const { outcome } = input;
  const name = input.path.split('/').pop() ?? input.path;
  const annotations: { key: string; value: unknown }[] = [
    { key: 'path', value: `${input.namespace}/${input.path}` },
    { key: 'waitTime', value: outcome.waitMs ?? 0 },
  ];
  if (input.kind) annotations.push({ key: 'kind', value: input.kind });
  if (input.limits) annotations.push({ key: 'limits', value: input.limits });
  // OpenWhisk marks cold starts by the presence of initTime.
  if (outcome.initMs !== undefined) annotations.push({ key: 'initTime', value: outcome.initMs });

  return {
    activationId: input.activationId,
    namespace: input.namespace,
    name,
    version: '0.0.1',
    subject: input.subject,
    start: input.start,
    end: input.end,
    duration: input.end - input.start,
    publish: false,
    response: {
      status: outcome.status,
      statusCode: STATUS_CODES[outcome.status],
      success: outcome.status === ActivationStatus.Success,
      result: outcome.result,
    },
    logs: outcome.logs,
    annotations,
  };
}

/** The outcome class of a result an action returned normally. */
export function statusOfResult(result: Record<string, unknown>): ActivationStatus {
  return 'error' in result ? ActivationStatus.ApplicationError : ActivationStatus.Success;
}
