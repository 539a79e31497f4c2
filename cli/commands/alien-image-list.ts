import type { Command } from 'commander';

import { ImageState, listImages } from '../../lib/image/index.ts';
import type { GlobalOptions } from '../config-file.ts';
import { renderTable } from '../format/table.ts';
import { withPoolSession, type PoolSession } from '../pool-session.ts';
import {
  listPerProvider,
  providersNamed,
  reportFailures,
  type ProviderListing,
} from '../provider-listing.ts';

const HEADERS = ['Provider', 'Name', 'Image ID'] as const;

/** Nova marks every image it made from a server so; Nodepool looked for the same mark. */
const SNAPSHOT_PROPERTY = 'image_type';
const SNAPSHOT_VALUE = 'snapshot';

export interface AlienImage {
  provider: string;
  name: string;
  imageId: string;
}

/**
 * `alien-image-list [PROVIDER]`: snapshot images in the cloud that no live row of the images
 * table names: leftovers of interrupted or failed image updates, and other people's
 * snapshots on the same tenant.
 */
export function registerAlienImageListCommand(program: Command) {
  const command = program
    .command('alien-image-list')
    .description('list snapshot images in the cloud that the pool does not know')
    .argument('[provider]', 'only this provider')
    .option('--json', 'print JSON instead of a table')
    .action(async (provider: string | undefined, options: { json?: boolean }) => {
      const listing = await withPoolSession(program.opts<GlobalOptions>(), (session) =>
        findAlienImages(session, providersNamed(command, session.config, provider)),
      );
      process.stdout.write(`${formatAlienImages(listing.items, options.json === true)}\n`);
      reportFailures(listing);
    });
}

export async function findAlienImages(
  session: PoolSession,
  providers: readonly string[],
): Promise<ProviderListing<AlienImage>> {
  const live = Object.values(ImageState).filter((state) => state !== ImageState.Deleted);
  const rows = await listImages(session.db, { states: live });
  const known = new Set(rows.map((row) => `${row.provider}\0${row.externalId ?? ''}`));

  return listPerProvider(providers, async (provider) => {
    const images = await session.context.cloud(provider).listImages();
    return images
      .filter((image) => image.properties[SNAPSHOT_PROPERTY] === SNAPSHOT_VALUE)
      .filter((image) => !known.has(`${provider}\0${image.id}`))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      .map((image) => ({ provider, name: image.name, imageId: image.id }));
  });
}

export function formatAlienImages(images: readonly AlienImage[], json: boolean): string {
  if (json) return JSON.stringify(images, null, 2);
  return renderTable(
    HEADERS,
    images.map((image) => [image.provider, image.name, image.imageId]),
  );
}
