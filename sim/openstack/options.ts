import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/log.ts';

export interface SimFlavor {
  id: string;
  name: string;
  ram: number;
  vcpus: number;
  disk: number;
}

export interface SimImage {
  id?: string;
  name: string;
  /** Glance status; default `active`. */
  status?: string;
  createdAt?: string;
  minRam?: number;
  minDisk?: number;
  /** Glance's custom properties; a snapshot carries its `metadata` and Nova's own keys. */
  properties?: Record<string, string>;
  /** The project that owns the image; null for the cloud's own public images. */
  owner?: string | null;
}

export interface SimNetwork {
  id: string;
  name: string;
}

export interface SshOptions {
  /** Users that may log in; default `['jenkins']`, Nodepool's default image user. */
  usernames?: string[];
  /** OpenSSH public key line; when absent any key is accepted. */
  authorizedKey?: string;
  /** Exit codes by command; a key matches a command equal to it, or else containing it. */
  commandExitCodes?: Record<string, number>;
  /** How long after ACTIVE sshd starts answering, as on a real boot; default 0. */
  readyDelayMs?: number;
  /** How long a job started in the background with nohup runs; default 0. */
  jobDurationMs?: number;
}

export interface OpenStackSimOptions {
  /** Default 0: the kernel picks. Always on 127.0.0.1. */
  port?: number;
  username?: string;
  password?: string;
  projectName?: string;
  projectId?: string;
  /** Default 1 h. */
  tokenLifetimeMs?: number;
  /** The first one also gets the plain endpoint paths. Default `['RegionOne']`. */
  regions?: string[];
  /** BUILD -> ACTIVE after this long; default 0. */
  bootDelayMs?: number;
  /** A deleted server disappears after this long; default 0 (at once). */
  deleteDelayMs?: number;
  /** A snapshot (Nova createImage) is saving this long before it is active; default 0. */
  snapshotDelayMs?: number;
  /** Nova's `instances` quota; -1 for unlimited. Default 10, Nova's own default. */
  maxInstances?: number;
  maxCores?: number;
  maxRamMb?: number;
  flavors?: SimFlavor[];
  images?: SimImage[];
  networks?: SimNetwork[];
  availabilityZones?: string[];
  /** Nova's `max_limit` for list pages; default 1000. */
  novaPageSize?: number;
  /** Glance's default page size; default 25. */
  glancePageSize?: number;
  ssh?: SshOptions;
  log?: Logger;
}

/** Nova's classic default flavors. */
export const DEFAULT_FLAVORS: SimFlavor[] = [
  { id: '1', name: 'm1.tiny', ram: 512, vcpus: 1, disk: 1 },
  { id: '2', name: 'm1.small', ram: 2048, vcpus: 1, disk: 20 },
  { id: '3', name: 'm1.medium', ram: 4096, vcpus: 2, disk: 40 },
  { id: '4', name: 'm1.large', ram: 8192, vcpus: 4, disk: 80 },
  { id: '5', name: 'm1.xlarge', ram: 16384, vcpus: 8, disk: 160 },
];

export const DEFAULT_IMAGES: SimImage[] = [
  { name: 'ci-jessie-wikimedia' },
  { name: 'ci-trusty-wikimedia' },
];

export type ResolvedOptions = Required<
  Omit<OpenStackSimOptions, 'log' | 'ssh' | 'projectId' | 'images'>
> & {
  projectId: string;
  images: Required<SimImage>[];
  ssh: Required<Omit<SshOptions, 'authorizedKey'>> & { authorizedKey?: string };
  log?: Logger;
};

export function resolveOptions(options: OpenStackSimOptions): ResolvedOptions {
  const started = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    port: options.port ?? 0,
    username: options.username ?? 'demo',
    password: options.password ?? 'devpass',
    projectName: options.projectName ?? 'demo',
    projectId: options.projectId ?? randomUUID().replaceAll('-', ''),
    tokenLifetimeMs: options.tokenLifetimeMs ?? 3_600_000,
    regions: options.regions ?? ['RegionOne'],
    bootDelayMs: options.bootDelayMs ?? 0,
    deleteDelayMs: options.deleteDelayMs ?? 0,
    snapshotDelayMs: options.snapshotDelayMs ?? 0,
    maxInstances: options.maxInstances ?? 10,
    maxCores: options.maxCores ?? -1,
    maxRamMb: options.maxRamMb ?? -1,
    flavors: options.flavors ?? DEFAULT_FLAVORS,
    images: (options.images ?? DEFAULT_IMAGES).map((image) => fillImage(image, started)),
    networks: options.networks ?? [{ id: randomUUID(), name: 'public' }],
    availabilityZones: options.availabilityZones ?? ['nova'],
    novaPageSize: options.novaPageSize ?? 1000,
    glancePageSize: options.glancePageSize ?? 25,
    ssh: {
      usernames: options.ssh?.usernames ?? ['jenkins'],
      authorizedKey: options.ssh?.authorizedKey,
      commandExitCodes: { ...options.ssh?.commandExitCodes },
      readyDelayMs: options.ssh?.readyDelayMs ?? 0,
      jobDurationMs: options.ssh?.jobDurationMs ?? 0,
    },
    log: options.log,
  };
}

export function fillImage(
  image: SimImage,
  now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
): Required<SimImage> {
  return {
    id: image.id ?? randomUUID(),
    name: image.name,
    status: image.status ?? 'active',
    createdAt: image.createdAt ?? now,
    minRam: image.minRam ?? 0,
    minDisk: image.minDisk ?? 0,
    properties: { ...image.properties },
    owner: image.owner ?? null,
  };
}
