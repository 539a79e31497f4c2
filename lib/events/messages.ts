import { z } from 'zod';

/** Payloads carried on each subject. Every message is validated before it is acted on. */

/** A count or id past 2^53 cannot be told apart from its neighbours; it is garbage, not data. */
const whole = () => z.number().int().safe();

export const DemandMessage = z.object({
  labels: z.record(z.string().min(1), whole().nonnegative()),
  /** Gearman servers that answered; demand from a silent server is unknown, not zero. */
  servers: z.array(z.string()),
  at: z.number(),
});
export type DemandMessage = z.infer<typeof DemandMessage>;

export const BuildMessage = z.object({
  phase: z.enum(['started', 'completed', 'finalized']),
  job: z.string().min(1),
  number: whole().positive(),
  nodeName: z.string().min(1),
  status: z.string().optional(),
  branch: z.string().optional(),
  /** The build asked the Gearman plugin to take its node offline when it completes. */
  offlineWhenComplete: z.boolean().optional(),
  publisher: z.string(),
  at: z.number(),
});
export type BuildMessage = z.infer<typeof BuildMessage>;

export const NodeMessage = z.object({
  nodeId: whole().positive(),
  reason: z.string().optional(),
});
export type NodeMessage = z.infer<typeof NodeMessage>;

export const TickMessage = z.object({
  reason: z.string(),
  at: z.number(),
});
export type TickMessage = z.infer<typeof TickMessage>;

/** A message an action asks to have published once its own change is committed. */
export interface FollowUp {
  subject: string;
  data: unknown;
  /**
   * Stable id: a replayed invocation re-emits the same follow-ups with the same ids, and
   * JetStream drops the duplicates inside its window.
   */
  id: string;
}
