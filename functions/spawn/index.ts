import { defineAction } from '../../lib/actions/define.ts';
import { NodeMessage } from '../../lib/events/messages.ts';
import { spawnNode } from '../../lib/pool/spawn.ts';

/** Creates the cloud server of a requested node. */
export const main = defineAction('spawn', NodeMessage, (ctx, { event }) =>
  spawnNode(ctx, event.nodeId),
);
