import { z } from 'zod';

import { REFRESH_STEPS, type RefreshStep } from './image.ts';

/** Payloads of the `whiskpool.image.>` subjects. */

export const ImageRefreshMessage = z.object({
  provider: z.string().min(1),
  image: z.string().min(1),
  /** Who asked: `cron`, `operator`, `missing`. */
  reason: z.string().min(1),
  /** How long Glance may take to make the snapshot active; default IMAGE_TIMEOUT. */
  timeoutSeconds: z.number().int().positive().optional(),
});
export type ImageRefreshMessage = z.infer<typeof ImageRefreshMessage>;

/** The image-update cron's request: a refresh of every in-use image of every provider. */
export const ImageRefreshAllMessage = z.object({
  all: z.literal(true),
  reason: z.string().min(1),
  /** The tick's time; it makes the ids of the requests it fans out to. */
  at: z.number().int().nonnegative(),
});
export type ImageRefreshAllMessage = z.infer<typeof ImageRefreshAllMessage>;

export const ImageStepMessage = z.object({
  imageId: z.number().int().positive(),
  step: z.enum(REFRESH_STEPS as [RefreshStep, ...RefreshStep[]]),
});
export type ImageStepMessage = z.infer<typeof ImageStepMessage>;

export const ImageDeleteMessage = z.object({
  imageId: z.number().int().positive(),
  reason: z.string().optional(),
});
export type ImageDeleteMessage = z.infer<typeof ImageDeleteMessage>;
