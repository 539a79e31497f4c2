import { defineAction } from '../../lib/actions/define.ts';
import { BuildMessage } from '../../lib/events/messages.ts';
import { offlineNode } from '../../lib/pool/offline.ts';

/** A build started on a node: mark it in use and take its agent offline. */
export const main = defineAction('offline', BuildMessage, (ctx, { event }) =>
  offlineNode(ctx, event),
);
