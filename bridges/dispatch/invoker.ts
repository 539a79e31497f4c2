import openwhisk from 'openwhisk';

import { ErrorCode, WhiskpoolError } from '../../lib/errors.ts';
import { isActionResult, type ActionResult } from '../../lib/actions/result.ts';

/** Runs one action and returns its result; throws only when the platform itself failed. */
export interface ActionInvoker {
  invoke(action: string, params: Record<string, unknown>): Promise<ActionResult>;
}

export interface OpenWhiskTarget {
  apihost: string;
  apiKey: string;
  namespace?: string;
  /** Package holding the actions, e.g. `whiskpool`; actions are invoked as `pkg/name`. */
  packageName?: string;
}

/**
 * Invokes actions through the OpenWhisk REST API, blocking for the result. The same code
 * serves the embedded default (the local action host speaks this API) and production.
 */
export function createOpenWhiskInvoker(target: OpenWhiskTarget): ActionInvoker {
  const client = openwhisk({
    apihost: target.apihost,
    api_key: target.apiKey,
    namespace: target.namespace ?? '_',
  });

  return {
    async invoke(action, params) {
      const name = target.packageName ? `${target.packageName}/${action}` : action;
      try {
        const result: unknown = await client.actions.invoke({
          name,
          params,
          blocking: true,
          result: true,
        });
        if (!isActionResult(result)) {
          throw new WhiskpoolError(ErrorCode.ActionFailed, `action ${action} returned no object`);
        }
        return result;
      } catch (error) {
        return unwrapApplicationError(action, error);
      }
    },
  };
}

/**
 * A blocking invocation whose action returned `{error}` comes back from OpenWhisk as HTTP 502
 * carrying the activation; that is an answer, not a platform failure.
 */
function unwrapApplicationError(action: string, error: unknown): ActionResult {
  const body = (error as { error?: { response?: { result?: unknown } } }).error;
  const result = body?.response?.result;
  if (isActionResult(result) && result.error) return result;

  const message = error instanceof Error ? error.message : String(error);
  throw new WhiskpoolError(ErrorCode.ActionFailed, `invoking ${action} failed: ${message}`, {
    retryable: true,
    cause: error,
  });
}
