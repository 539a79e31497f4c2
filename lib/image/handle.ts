import type { z } from 'zod';

import { ErrorCode, WhiskpoolError } from '../errors.ts';
import { Subject } from '../events/subjects.ts';
import type { PoolContext, StepOutcome } from '../pool/context.ts';
import { deleteSnapshot } from './delete.ts';
import {
  ImageDeleteMessage,
  ImageRefreshAllMessage,
  ImageRefreshMessage,
  ImageStepMessage,
} from './messages.ts';
import { requestAllRefreshes, requestRefresh } from './refresh.ts';
import { runRefreshStep } from './steps.ts';

/**
 * One entry for the three image subjects: a request (for one image, or the cron's for all),
 * a step, or a deletion.
 */
export async function handleImageEvent(
  ctx: PoolContext,
  subject: string,
  event: unknown,
): Promise<StepOutcome> {
  switch (subject) {
    case Subject.ImageRefresh:
      if (typeof event === 'object' && event !== null && 'all' in event) {
        return requestAllRefreshes(ctx, parse(ImageRefreshAllMessage, event, subject));
      }
      return requestRefresh(ctx, parse(ImageRefreshMessage, event, subject));
    case Subject.ImageStep:
      return runRefreshStep(ctx, parse(ImageStepMessage, event, subject));
    case Subject.ImageDelete:
      return deleteSnapshot(ctx, parse(ImageDeleteMessage, event, subject).imageId);
    default:
      throw new WhiskpoolError(ErrorCode.EventInvalid, `image-refresh: no handler for ${subject}`);
  }
}

function parse<S extends z.ZodTypeAny>(schema: S, event: unknown, subject: string): z.infer<S> {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`);
  throw new WhiskpoolError(
    ErrorCode.EventInvalid,
    `image-refresh: invalid event on ${subject}: ${problems.join('; ')}`,
  );
}
