import type { CloudImage } from '../provider.ts';

export interface GlanceImage {
  id: string;
  name: string | null;
  status: string;
  created_at: string;
  min_ram?: number | null;
  min_disk?: number | null;
}

export function toCloudImage(raw: GlanceImage): CloudImage {
  return {
    id: raw.id,
    name: raw.name ?? '',
    status: raw.status,
    createdAt: raw.created_at,
    minRam: raw.min_ram ?? 0,
    minDisk: raw.min_disk ?? 0,
  };
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
