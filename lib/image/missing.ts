import type { PoolConfig } from '../config/index.ts';
import type { Database } from '../db/connect.ts';
import type { FollowUp } from '../events/messages.ts';
import { imageFollowUp } from './follow-ups.ts';
import { ImageState } from './image.ts';
import { imagesInUse } from './in-use.ts';

/**
 * Refresh requests for in-use images that have a setup script but neither a ready nor a
 * building snapshot, as Nodepool built missing images at once instead of waiting for the
 * cron. Images without a setup script boot from their base image until the cron or an
 * operator snapshots them. The requests share one id per image, so a reconcile that runs
 * every second asks once per JetStream duplicate window (two minutes), which also paces the
 * retries of an image whose refresh keeps failing.
 */
export async function missingSnapshotRequests(
  db: Database,
  config: PoolConfig,
): Promise<FollowUp[]> {
  const wanted = imagesInUse(config).filter(({ image }) => image.setup !== undefined);
  if (wanted.length === 0) return [];

  const rows = (await db('images')
    .distinct('provider', 'image_name')
    .whereIn('state', [ImageState.Ready, ImageState.Building])) as {
    provider: string;
    image_name: string;
  }[];
  const present = new Set(rows.map((row) => `${row.provider}\u0000${row.image_name}`));

  return wanted
    .filter(({ provider, image }) => !present.has(`${provider.name}\u0000${image.name}`))
    .map(({ provider, image }) =>
      imageFollowUp.refresh({ provider: provider.name, image: image.name, reason: 'missing' },
        'missing'),
    );
}
