import { defineAction } from '../../lib/actions/define.ts';
import { NodeMessage } from '../../lib/events/messages.ts';
import { registerNode } from '../../lib/pool/register.ts';

/** Marks the node ready and adds it to Jenkins as a one-executor agent. */
export const main = defineAction('register', NodeMessage, (ctx, { event }) =>
  registerNode(ctx, event.nodeId),
);
