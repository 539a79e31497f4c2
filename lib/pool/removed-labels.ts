import type { FollowUp } from '../events/messages.ts';
import { listNodes } from '../node/repository.ts';
import type { PoolContext } from './context.ts';
import { followUp } from './follow-ups.ts';

/** Why such a node goes, in its transitions and its delete message's id. */
export const LABEL_REMOVED = 'label-removed';

/**
 * Ready nodes of labels the configuration no longer has, as delete requests: nothing will ask
 * for them again, and they hold quota another label could use. Nodepool's `check` cron
 * deleted them the same way. Nodes in use finish their build first, and held ones stay.
 */
export async function unconfiguredReadyNodes(ctx: PoolContext): Promise<FollowUp[]> {
  const labels = new Set(ctx.config.labels.map((label) => label.name));
  const ready = await listNodes(ctx.db, { states: ['ready'] });
  const orphans = ready.filter((node) => !labels.has(node.label));
  for (const node of orphans) {
    ctx.log.info({ node: node.id, label: node.label }, 'label no longer configured; deleting');
  }
  return orphans.map((node) => followUp.delete(node.id, LABEL_REMOVED));
}
