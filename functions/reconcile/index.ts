import { z } from 'zod';

import { defineAction, eventOf } from '../../lib/actions/define.ts';
import { DemandMessage, TickMessage } from '../../lib/events/messages.ts';
import { Subject } from '../../lib/events/subjects.ts';
import { reconcile } from '../../lib/pool/reconcile.ts';
import { sweep } from '../../lib/pool/sweep.ts';

/**
 * Demand changed, a node went away, or a timer fired: request the nodes that are missing.
 * The periodic sweep comes here too (subject `whiskpool.tick.sweep`).
 */
export const main = defineAction(
  'reconcile',
  z.union([DemandMessage, TickMessage]),
  async (ctx, input) => {
    const demand =
      input.subject === Subject.Demand ? eventOf('reconcile', DemandMessage, input) : undefined;
    if (input.subject !== Subject.Sweep) return reconcile(ctx, demand);

    // The sweep first, so that nodes it fails are replaced in the same pass.
    const swept = await sweep(ctx);
    const reconciled = await reconcile(ctx);
    return {
      events: [...swept.events, ...reconciled.events],
      summary: { ...swept.summary, requested: reconciled.summary.requested },
    };
  },
);
