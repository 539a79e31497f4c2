import { z } from 'zod';

import { defineAction } from '../../lib/actions/define.ts';
import { BuildMessage, NodeMessage } from '../../lib/events/messages.ts';
import { Subject } from '../../lib/events/subjects.ts';
import { deleteNode, finishBuild } from '../../lib/pool/delete.ts';

/** A build finished on a node, or a node failed or was released: remove it everywhere. */
export const main = defineAction(
  'delete',
  z.union([BuildMessage, NodeMessage]),
  async (ctx, input) => {
    if (input.subject === Subject.BuildFinalized) {
      return finishBuild(ctx, BuildMessage.parse(input.event));
    }
    const message = NodeMessage.parse(input.event);
    return deleteNode(ctx, message.nodeId, message.reason ?? 'requested');
  },
);
