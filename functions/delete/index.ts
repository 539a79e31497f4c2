import { z } from 'zod';

import { defineAction, eventOf } from '../../lib/actions/define.ts';
import { BuildMessage, NodeMessage } from '../../lib/events/messages.ts';
import { Subject } from '../../lib/events/subjects.ts';
import { deleteNode, finishBuild } from '../../lib/pool/delete.ts';

/** A build finished on a node, or a node failed or was released: remove it everywhere. */
export const main = defineAction(
  'delete',
  z.union([BuildMessage, NodeMessage]),
  async (ctx, input) => {
    if (input.subject === Subject.BuildFinalized) {
      return finishBuild(ctx, eventOf('delete', BuildMessage, input));
    }
    const message = eventOf('delete', NodeMessage, input);
    return deleteNode(ctx, message.nodeId, message.reason ?? 'requested');
  },
);
