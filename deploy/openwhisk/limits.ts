/**
 * Each action's OpenWhisk limits. OpenWhisk's stock ranges are 100 ms to 300 s and 128 to
 * 512 MB; concurrency above 1 needs an operator who allows intra-container concurrency.
 */
export interface ActionLimits {
  timeoutMs: number;
  memoryMb: number;
  /** Activations one container runs at once. */
  concurrency: number;
  /** Log size per activation, MB. */
  logsMb: number;
}

const STEP: ActionLimits = { timeoutMs: 60_000, memoryMb: 256, concurrency: 8, logsMb: 10 };

export const ACTION_LIMITS: Readonly<Record<string, ActionLimits>> = {
  // Allocation serialises on one row lock, so more reconciles at once would only queue.
  reconcile: { ...STEP, concurrency: 2 },
  spawn: STEP,
  // A login and the label's ready script; each command may take a minute.
  'ready-check': { ...STEP, timeoutMs: 180_000 },
  register: STEP,
  offline: { ...STEP, timeoutMs: 30_000 },
  delete: STEP,
  // Boots a template server and snapshots it: long, and one at a time per container.
  'image-refresh': { ...STEP, timeoutMs: 300_000, concurrency: 1 },
};

/** The limits of `action`; an action this table does not know gets a step's. */
export function limitsOf(action: string): ActionLimits {
  return ACTION_LIMITS[action] ?? STEP;
}
