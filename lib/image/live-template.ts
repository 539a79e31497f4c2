import { MetadataKey } from '../cloud/metadata.ts';
import type { CloudServer } from '../cloud/provider.ts';
import type { Database } from '../db/connect.ts';
import { ImageState } from './image.ts';
import { getImage } from './repository.ts';

/**
 * Whether a server of this pool is the template server of a refresh still running (or of one
 * whose server is being created), so that the leak sweep leaves it alone: a template has no
 * node, and a setup script may run for long. A template whose image is ready, failed or gone
 * is a leak, as Nodepool judged servers whose snapshot image row was gone. False for servers
 * that are no template at all.
 */
export async function isLiveTemplateServer(db: Database, server: CloudServer): Promise<boolean> {
  const id = Number(server.metadata[MetadataKey.ImageId]);
  if (!Number.isInteger(id)) return false;
  const image = await getImage(db, id);
  if (!image || image.state !== ImageState.Building) return false;
  return image.serverExternalId === server.id || image.serverExternalId === null;
}
