import type { FollowUp } from '../events/messages.ts';
import { Subject } from '../events/subjects.ts';

/**
 * The messages steps emit. Ids are derived from the node and the step, so that a step that
 * runs twice for the same reason emits messages JetStream recognises as duplicates.
 */
export const followUp = {
  spawn(nodeId: number, attempt = 1): FollowUp {
    return { subject: Subject.NodeSpawn, data: { nodeId }, id: `spawn-${nodeId}-${attempt}` };
  },
  readyCheck(nodeId: number, attempt = 1): FollowUp {
    return {
      subject: Subject.NodeReadyCheck,
      data: { nodeId },
      id: `ready-check-${nodeId}-${attempt}`,
    };
  },
  register(nodeId: number): FollowUp {
    return { subject: Subject.NodeRegister, data: { nodeId }, id: `register-${nodeId}` };
  },
  delete(nodeId: number, reason: string): FollowUp {
    return {
      subject: Subject.NodeDelete,
      data: { nodeId, reason },
      id: `delete-${nodeId}-${reason}`,
    };
  },
  /** After a node is gone the pool may be short of ready machines. */
  reconcile(reason: string, now: number): FollowUp {
    return {
      subject: Subject.Reconcile,
      data: { reason, at: now },
      id: `reconcile-${reason}`,
    };
  },
};
