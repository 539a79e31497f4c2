import { z } from 'zod';

import { defineAction } from '../../lib/actions/define.ts';
import { DemandMessage, TickMessage } from '../../lib/events/messages.ts';
import { Subject } from '../../lib/events/subjects.ts';
import { reconcile } from '../../lib/pool/reconcile.ts';

/** Demand changed, a node went away, or a timer fired: request the nodes that are missing. */
export const main = defineAction(
  'reconcile',
  z.union([DemandMessage, TickMessage]),
  async (ctx, input) => {
    const demand = input.subject === Subject.Demand ? DemandMessage.parse(input.event) : undefined;
    return reconcile(ctx, demand);
  },
);
