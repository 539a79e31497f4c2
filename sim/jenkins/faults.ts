import { z } from 'zod';

/** Failures the stand-in can be told to show, switchable while it runs. */
export interface JenkinsFaults {
  rest: RestFaults;
  zmq: ZmqFaults;
}

export interface RestFaults {
  /** Share of requests (0..1) answered with `errorStatus` instead of being served. */
  errorRate: number;
  errorStatus: number;
  /** The next N requests are answered with `errorStatus`, whatever the rate. */
  failNext: number;
  /** Share of requests answered 404 as if the thing did not exist. */
  notFoundRate: number;
  /** Every answer is held back this long. */
  delayMs: number;
  /** Only paths containing this text are affected; all paths when empty. */
  pathContains: string;
}

export interface ZmqFaults {
  /** Share of frames (0..1) never sent. */
  dropRate: number;
  /** The next N frames are never sent. */
  dropNext: number;
  /** Share of frames sent twice. */
  duplicateRate: number;
  /** Share of frames held back and sent after the frame that follows them. */
  reorderRate: number;
}

export function noFaults(): JenkinsFaults {
  return {
    rest: {
      errorRate: 0,
      errorStatus: 503,
      failNext: 0,
      notFoundRate: 0,
      delayMs: 0,
      pathContains: '',
    },
    zmq: { dropRate: 0, dropNext: 0, duplicateRate: 0, reorderRate: 0 },
  };
}

const rate = z.number().min(0).max(1);
const count = z.number().int().min(0);

const faultsPatch = z
  .object({
    rest: z
      .object({
        errorRate: rate,
        errorStatus: z.number().int().min(400).max(599),
        failNext: count,
        notFoundRate: rate,
        delayMs: count,
        pathContains: z.string(),
      })
      .partial()
      .strict(),
    zmq: z
      .object({ dropRate: rate, dropNext: count, duplicateRate: rate, reorderRate: rate })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

export type FaultsPatch = z.infer<typeof faultsPatch>;

/**
 * Applies a partial change to the current faults; fields not named keep their value.
 * Throws with the path of the bad field when the change is invalid.
 */
export function applyFaults(current: JenkinsFaults, patch: unknown): JenkinsFaults {
  const parsed = faultsPatch.safeParse(patch);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`faults.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }

  return {
    rest: { ...current.rest, ...parsed.data.rest },
    zmq: { ...current.zmq, ...parsed.data.zmq },
  };
}

/** True with the given probability. */
export function chance(probability: number): boolean {
  return probability > 0 && Math.random() < probability;
}
