import type { z } from 'zod';

import { ErrorCode, WhiskpoolError, isWhiskpoolError } from '../errors.ts';
import type { PoolContext, StepOutcome } from '../pool/context.ts';
import { resourcesFor } from './resources.ts';
import type { ActionResult } from './result.ts';
import { parseSettings } from './settings.ts';

export interface ActionInput<E> {
  subject: string;
  event: E;
  deliveries: number;
}

/**
 * Turns a step of the node life into an OpenWhisk action `main(params)`: validates the event,
 * runs the step with warm connections, publishes its follow-up messages, and reports expected
 * failures as data. A follow-up is published before the action answers, so a crash in
 * between only causes a redelivery, which re-emits the same messages under the same ids.
 */
export function defineAction<S extends z.ZodTypeAny>(
  name: string,
  eventSchema: S,
  step: (ctx: PoolContext, input: ActionInput<z.infer<S>>) => Promise<StepOutcome>,
) {
  return async function main(params: Record<string, unknown>): Promise<ActionResult> {
    let settings;
    try {
      settings = parseSettings(params.whiskpool);
    } catch (error) {
      return { error: (error as WhiskpoolError).toResult() };
    }

    const resources = await resourcesFor(settings, name);
    const log = resources.log.child({
      action: name,
      activation: process.env.__OW_ACTIVATION_ID,
    });

    const parsed = eventSchema.safeParse(params.event);
    if (!parsed.success) {
      const error = invalidEvent(name, params.subject, parsed.error);
      log.warn({ subject: params.subject, err: error.message }, 'invalid event');
      return { error: error.toResult() };
    }

    try {
      const outcome = await step(resources.context(log), {
        subject: String(params.subject ?? ''),
        event: parsed.data,
        deliveries: Number(params.deliveries ?? 1),
      });
      await resources.publisher.publishAll(outcome.events);
      log.debug({ summary: outcome.summary }, 'step done');
      const result: ActionResult = { summary: outcome.summary };
      if (outcome.retryAfterMs !== undefined) result.retryAfterMs = outcome.retryAfterMs;
      return result;
    } catch (error) {
      if (isWhiskpoolError(error, ErrorCode.EventInvalid)) {
        log.warn({ subject: params.subject, err: error.message }, 'invalid event');
        return { error: error.toResult() };
      }
      if (isWhiskpoolError(error)) {
        log.warn({ code: error.code, err: error.message }, 'step failed');
        return { error: error.toResult() };
      }
      // A surprise: logged with its stack, and retried, since most surprises here are a
      // connection that dropped.
      log.error({ err: error }, 'step failed unexpectedly');
      const message = error instanceof Error ? error.message : String(error);
      return { error: { code: ErrorCode.ActionFailed, message, retryable: true } };
    }
  };
}

/**
 * The event as the one of an action's schemas that its subject calls for. An action taking
 * several kinds of event accepts any of them at first; a message of the wrong kind for its
 * subject is as invalid as one of no kind.
 */
export function eventOf<S extends z.ZodTypeAny>(
  name: string,
  schema: S,
  input: ActionInput<unknown>,
): z.infer<S> {
  const parsed = schema.safeParse(input.event);
  if (!parsed.success) throw invalidEvent(name, input.subject, parsed.error);
  return parsed.data;
}

function invalidEvent(name: string, subject: unknown, error: z.ZodError): WhiskpoolError {
  return new WhiskpoolError(
    ErrorCode.EventInvalid,
    `${name}: invalid event on ${String(subject)}: ${problemsOf(error.issues).join('; ')}`,
  );
}

/**
 * One line per problem. For an action taking several kinds of event, zod only says "Invalid
 * input"; the kind the event came closest to (fewest problems) says what is actually wrong.
 */
function problemsOf(issues: readonly z.ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union') {
      return [`${issue.path.join('.') || 'event'}: ${issue.message}`];
    }
    const kinds = issue.unionErrors.map((kind) => problemsOf(kind.issues));
    const fewest = Math.min(...kinds.map((problems) => problems.length));
    const closest = kinds.filter((problems) => problems.length === fewest);
    return [closest.map((problems) => problems.join(', ')).join('; or ')];
  });
}
