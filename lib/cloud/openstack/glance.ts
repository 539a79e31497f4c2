import type { CloudImage } from '../provider.ts';

export interface GlanceImage {
  id: string;
  name: string | null;
  status: string;
  created_at: string;
  min_ram?: number | null;
  min_disk?: number | null;
  [property: string]: unknown;
}

/** Fields of Glance v2's image schema; every other key of an image is a custom property. */
const CORE_FIELDS = new Set([
  'id', 'name', 'status', 'created_at', 'updated_at', 'tags', 'container_format',
  'disk_format', 'visibility', 'self', 'file', 'schema', 'min_disk', 'min_ram', 'protected',
  'checksum', 'owner', 'size', 'virtual_size', 'os_hidden', 'os_hash_algo', 'os_hash_value',
  'direct_url', 'locations', 'stores',
]);

export function toCloudImage(raw: GlanceImage): CloudImage {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!CORE_FIELDS.has(key) && typeof value === 'string') properties[key] = value;
  }
  return {
    id: raw.id,
    name: raw.name ?? '',
    status: raw.status,
    createdAt: raw.created_at,
    minRam: raw.min_ram ?? 0,
    minDisk: raw.min_disk ?? 0,
    properties,
  };
}

/**
 * The new image's id from Nova's answer to `createImage`: in the body from microversion 2.45,
 * before that only as the last segment of the `Location` header.
 */
export function createdImageId(body: unknown, location: string | null): string | undefined {
  const fromBody = (body as { image_id?: unknown } | undefined)?.image_id;
  if (typeof fromBody === 'string' && fromBody !== '') return fromBody;
  if (!location) return undefined;
  const last = new URL(location, 'http://base.invalid').pathname.split('/').filter(Boolean).at(-1);
  return last === undefined ? undefined : decodeURIComponent(last);
}

/** Image references that look like ids are ids; Nodepool's `base-image` rule. */
export function isUuidShaped(value: string): boolean {
  return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value);
}

/**
 * Among images sharing a name, the newest active one: a snapshot still being written must not
 * be booted, and an older one is a previous version.
 */
export function newestActive(images: readonly CloudImage[]): CloudImage | undefined {
  return images
    .filter((image) => image.status === 'active')
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
}

/** Glance's `next` link carries the marker of the following page. */
export function glanceNextMarker(next: string | undefined): string | undefined {
  if (!next) return undefined;
  return new URL(next, 'http://base.invalid').searchParams.get('marker') ?? undefined;
}
