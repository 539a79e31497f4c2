import { z } from 'zod';

import { defineAction } from '../../lib/actions/define.ts';
import { handleImageEvent } from '../../lib/image/index.ts';

/**
 * Refreshes snapshot images: starts a refresh, runs its next step, or deletes a failed or
 * retired image, depending on the subject. Each event is checked against its subject's
 * schema by the handler.
 */
export const main = defineAction('image-refresh', z.record(z.string(), z.unknown()), (ctx, input) =>
  handleImageEvent(ctx, input.subject, input.event),
);
