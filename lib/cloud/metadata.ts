import { ErrorCode, WhiskpoolError } from '../errors.ts';
import type { CloudServer } from './provider.ts';

/**
 * Metadata keys on every server whiskpool creates. The flat keys let a leak sweep find its own
 * servers; `nodepool` repeats the facts in the shape Nodepool used, so that its tools (and an
 * operator's habits) still recognise the servers.
 */
export const MetadataKey = {
  Pool: 'whiskpool-pool',
  NodeId: 'whiskpool-node-id',
  Provider: 'whiskpool-provider',
  Label: 'whiskpool-label',
  /** On template servers, which are no node: the snapshot image they are booted for. */
  ImageId: 'whiskpool-image-id',
  Nodepool: 'nodepool',
} as const;

/** Nova refuses metadata keys or values longer than this. */
export const NOVA_METADATA_MAX_LENGTH = 255;

export interface Ownership {
  poolId: string;
  nodeId: string;
  provider: string;
  label: string;
}

export interface ServerMetadataInput extends Ownership {
  imageName: string;
}

/** The metadata for a new server; throws if a value would not fit Nova's limits. */
export function serverMetadata(input: ServerMetadataInput): Record<string, string> {
  const metadata: Record<string, string> = {
    [MetadataKey.Pool]: input.poolId,
    [MetadataKey.NodeId]: input.nodeId,
    [MetadataKey.Provider]: input.provider,
    [MetadataKey.Label]: input.label,
    [MetadataKey.Nodepool]: JSON.stringify({
      provider_name: input.provider,
      node_id: input.nodeId,
      image_name: input.imageName,
    }),
  };

  for (const [key, value] of Object.entries(metadata)) {
    if (value.length > NOVA_METADATA_MAX_LENGTH) {
      throw new WhiskpoolError(
        ErrorCode.ConfigInvalid,
        `server metadata '${key}' for node ${input.nodeId} would be ${value.length} characters; ` +
          `Nova accepts at most ${NOVA_METADATA_MAX_LENGTH}`,
      );
    }
  }
  return metadata;
}

/** Reads whiskpool's ownership keys back; null for a server whiskpool did not tag. */
export function readOwnership(metadata: Record<string, string>): Ownership | null {
  const poolId = metadata[MetadataKey.Pool];
  const nodeId = metadata[MetadataKey.NodeId];
  if (poolId === undefined || nodeId === undefined) return null;

  return {
    poolId,
    nodeId,
    provider: metadata[MetadataKey.Provider] ?? '',
    label: metadata[MetadataKey.Label] ?? '',
  };
}

/** True when the server was created by the pool with this id. */
export function ownedBy(server: Pick<CloudServer, 'metadata'>, poolId: string): boolean {
  return server.metadata[MetadataKey.Pool] === poolId;
}

export interface TemplateOwnership {
  poolId: string;
  /** The id of the snapshot image row the template server is booted for. */
  imageId: string;
  provider: string;
}

export interface TemplateMetadataInput extends TemplateOwnership {
  imageName: string;
}

/**
 * The metadata of a template server: the pool and the image row instead of a node, and
 * Nodepool's `nodepool` key with `snapshot_image_id`, as its template servers carried.
 */
export function templateMetadata(input: TemplateMetadataInput): Record<string, string> {
  const metadata: Record<string, string> = {
    [MetadataKey.Pool]: input.poolId,
    [MetadataKey.ImageId]: input.imageId,
    [MetadataKey.Provider]: input.provider,
    [MetadataKey.Nodepool]: JSON.stringify({
      provider_name: input.provider,
      snapshot_image_id: input.imageId,
      image_name: input.imageName,
    }),
  };

  for (const [key, value] of Object.entries(metadata)) {
    if (value.length > NOVA_METADATA_MAX_LENGTH) {
      throw new WhiskpoolError(
        ErrorCode.ConfigInvalid,
        `template metadata '${key}' for image ${input.imageId} would be ${value.length} ` +
          `characters; Nova accepts at most ${NOVA_METADATA_MAX_LENGTH}`,
      );
    }
  }
  return metadata;
}

/** Reads a template server's ownership back; null for any other server. */
export function readTemplateOwnership(metadata: Record<string, string>): TemplateOwnership | null {
  const poolId = metadata[MetadataKey.Pool];
  const imageId = metadata[MetadataKey.ImageId];
  if (poolId === undefined || imageId === undefined) return null;
  return { poolId, imageId, provider: metadata[MetadataKey.Provider] ?? '' };
}
