import { defineAction } from '../../lib/actions/define.ts';
import { NodeMessage } from '../../lib/events/messages.ts';
import { readyCheckNode } from '../../lib/pool/ready-check.ts';

/** Waits for the server to boot, logs in and runs the label's ready script. */
export const main = defineAction('ready-check', NodeMessage, (ctx, { event }) =>
  readyCheckNode(ctx, event.nodeId),
);
