import type { CloudFlavor, CloudLimits, CloudServer, ServerSpec } from '../provider.ts';
import { chooseIpv4, chooseIpv6, type ServerAddresses } from './addresses.ts';

/** The fields of Nova's server view that whiskpool reads. */
export interface NovaServer extends ServerAddresses {
  id: string;
  name: string;
  status: string;
  created: string;
  metadata?: Record<string, string>;
  fault?: { code: number; message: string };
  'OS-EXT-STS:task_state'?: string | null;
  'OS-EXT-AZ:availability_zone'?: string;
}

export interface NovaFlavor {
  /** Nova sends a string; some older deployments sent a number. */
  id: string | number;
  name: string;
  ram: number;
  vcpus: number;
  disk: number;
}

/** Metadata key naming the port a server's SSH listens on when it is not 22. */
export const SSH_PORT_KEY = 'ssh-port';

export function toCloudServer(raw: NovaServer): CloudServer {
  const metadata = raw.metadata ?? {};
  const server: CloudServer = {
    id: raw.id,
    name: raw.name,
    status: raw.status,
    taskState: raw['OS-EXT-STS:task_state'] ?? null,
    metadata,
    sshPort: sshPort(metadata[SSH_PORT_KEY]),
    createdAt: raw.created,
  };

  const ipv4 = chooseIpv4(raw);
  const ipv6 = chooseIpv6(raw);
  if (ipv4 !== undefined) server.ipv4 = ipv4;
  if (ipv6 !== undefined) server.ipv6 = ipv6;
  if (raw.fault) server.fault = { code: raw.fault.code, message: raw.fault.message };
  if (raw['OS-EXT-AZ:availability_zone']) {
    server.availabilityZone = raw['OS-EXT-AZ:availability_zone'];
  }
  return server;
}

function sshPort(value: string | undefined): number {
  const port = Number(value);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : 22;
}

export function toCloudFlavor(raw: NovaFlavor): CloudFlavor {
  return { id: String(raw.id), name: raw.name, ram: raw.ram, vcpus: raw.vcpus, disk: raw.disk };
}

export function toCloudLimits(absolute: Record<string, number>): CloudLimits {
  return {
    maxTotalInstances: absolute.maxTotalInstances ?? -1,
    totalInstancesUsed: absolute.totalInstancesUsed ?? 0,
    maxTotalCores: absolute.maxTotalCores ?? -1,
    totalCoresUsed: absolute.totalCoresUsed ?? 0,
    maxTotalRAMSize: absolute.maxTotalRAMSize ?? -1,
    totalRAMUsed: absolute.totalRAMUsed ?? 0,
  };
}

/**
 * The body of `POST /servers`. From microversion 2.37 Nova requires `networks`; leaving the
 * choice to the cloud is spelled `auto` there, which is what older versions did by omission.
 */
export function createServerBody(spec: ServerSpec, microversion: string): unknown {
  const server: Record<string, unknown> = {
    name: spec.name,
    imageRef: spec.imageId,
    flavorRef: spec.flavorId,
    metadata: spec.metadata,
  };
  if (spec.networks !== undefined) server.networks = spec.networks;
  else if (atLeast(microversion, 2, 37)) server.networks = 'auto';
  if (spec.availabilityZone !== undefined) server.availability_zone = spec.availabilityZone;
  if (spec.configDrive !== undefined) server.config_drive = spec.configDrive;
  if (spec.keyName !== undefined) server.key_name = spec.keyName;
  return { server };
}

function atLeast(microversion: string, major: number, minor: number): boolean {
  if (microversion === 'latest') return true;
  const [givenMajor = 0, givenMinor = 0] = microversion.split('.').map(Number);
  return givenMajor > major || (givenMajor === major && givenMinor >= minor);
}

/** The marker for the next page from Nova's `*_links` list, if there is a next page. */
export function nextMarker(links: { rel: string; href: string }[] | undefined): string | undefined {
  const next = links?.find((link) => link.rel === 'next');
  if (!next) return undefined;
  return new URL(next.href, 'http://base.invalid').searchParams.get('marker') ?? undefined;
}
