/**
 * What whiskpool needs from a cloud. The OpenStack client implements it; tests and the pool's
 * steps depend only on this interface.
 */

/** Nova's server statuses; others (REBUILD, SHUTOFF, ...) pass through as plain strings. */
export type ServerStatus = 'BUILD' | 'ACTIVE' | 'ERROR' | 'DELETED' | (string & {});

export interface CloudFlavor {
  id: string;
  name: string;
  /** MiB */
  ram: number;
  vcpus: number;
  /** GiB */
  disk: number;
}

export interface CloudImage {
  id: string;
  name: string;
  /** Glance's status: `active` once usable, `queued`/`saving` while a snapshot is written. */
  status: string;
  createdAt: string;
  minRam: number;
  minDisk: number;
  /** Glance's custom properties: a snapshot's `meta` and what Nova adds to it. */
  properties: Record<string, string>;
}

export interface ServerSpec {
  name: string;
  imageId: string;
  flavorId: string;
  metadata: Record<string, string>;
  availabilityZone?: string;
  /** `'none'` boots without a network (needs compute microversion 2.37 or later). */
  networks?: { uuid: string }[] | 'none';
  configDrive?: boolean;
  keyName?: string;
}

export interface ServerFault {
  code: number;
  message: string;
}

export interface CloudServer {
  id: string;
  name: string;
  status: ServerStatus;
  /** Nova's task state, e.g. `spawning` or `deleting`; null when idle. */
  taskState: string | null;
  metadata: Record<string, string>;
  /** The public IPv4 address when there is one, else a private one. */
  ipv4?: string;
  ipv6?: string;
  /**
   * 22 unless the server's metadata carries `ssh-port`: clouds that publish servers behind
   * port forwarding say so there, and the local stand-in does because all its servers listen
   * on 127.0.0.1.
   */
  sshPort: number;
  fault?: ServerFault;
  /** ISO 8601, as the cloud reported it. */
  createdAt: string;
  availabilityZone?: string;
}

/** Absolute limits of the project; Nova reports -1 for "unlimited". */
export interface CloudLimits {
  maxTotalInstances: number;
  totalInstancesUsed: number;
  maxTotalCores: number;
  totalCoresUsed: number;
  maxTotalRAMSize: number;
  totalRAMUsed: number;
}

export interface CloudProvider {
  /** The provider's name from the configuration, used in messages and metrics. */
  readonly name: string;
  listFlavors(): Promise<CloudFlavor[]>;
  /**
   * A UUID-shaped argument is taken as an image id, anything else as a name. By name, the
   * newest active image wins. Null when there is no such image.
   */
  findImage(nameOrId: string): Promise<CloudImage | null>;
  /** Asks for a server; it starts in BUILD. Resolves with its id as soon as the cloud has one. */
  createServer(spec: ServerSpec): Promise<{ id: string }>;
  /** Null once the server is gone. */
  getServer(id: string): Promise<CloudServer | null>;
  listServers(): Promise<CloudServer[]>;
  /** Asks for deletion; a server that is already gone counts as deleted. */
  deleteServer(id: string): Promise<void>;
  getLimits(): Promise<CloudLimits>;
  /**
   * Asks Nova to snapshot a server into a new image (`createImage`). Resolves with the image's
   * id as soon as Glance has one; the image then goes queued -> saving -> active (or killed).
   */
  createImage(serverId: string, name: string, metadata: Record<string, string>): Promise<{
    id: string;
  }>;
  /** The image by id, whatever its status; null once it is gone. */
  getImage(id: string): Promise<CloudImage | null>;
  /** Asks Glance to delete an image; one that is already gone counts as deleted. */
  deleteImage(id: string): Promise<void>;
  /** Every image the project sees, whatever its status, newest first. */
  listImages(): Promise<CloudImage[]>;
  /**
   * The network named `name` (Nodepool's `net-label`), looked up in Neutron; null when there
   * is none. A name two networks share is refused: Nova would not know which was meant.
   */
  findNetwork(name: string): Promise<{ id: string } | null>;
}

/**
 * Names of the cloud operations as reported to `onCall`, matching Nodepool's task names so
 * that dashboards built for its statsd timers keep working.
 */
export const CloudOperation = {
  CreateServer: 'CreateServerTask',
  DeleteServer: 'DeleteServerTask',
  ListServers: 'ListServersTask',
  GetServer: 'GetServerTask',
  ListFlavors: 'ListFlavorsTask',
  GetImage: 'GetImageTask',
  GetLimits: 'GetLimitsTask',
  CreateImage: 'CreateImageTask',
  DeleteImage: 'DeleteImageTask',
  ListImages: 'ListImagesTask',
  FindNetwork: 'FindNetworkTask',
} as const;

export type CloudOperation = (typeof CloudOperation)[keyof typeof CloudOperation];

/** Called after every cloud operation with its duration; `ok` is false when it threw. */
export type CloudCallHook = (operation: CloudOperation, ms: number, ok: boolean) => void;
