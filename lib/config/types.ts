/**
 * The typed, normalised form of a Nodepool-era `nodepool.yaml` (plus whiskpool's extensions).
 * Every default is filled in; names are camelCase; secrets from `secure.conf`, `clouds.yaml`
 * and the environment are merged in. Arrays keep the order of the file, so that a problem found
 * later can still be reported as `providers[2]...`.
 */
export interface PoolConfig {
  /** Where the configuration was read from, for messages. */
  source: string;
  /** Names this deployment in server metadata, so that two pools on one tenant never collide. */
  poolId: string;
  scriptDir?: string;
  elementsDir?: string;
  imagesDir?: string;
  /** Absent when no file or variable names one; the process then picks its embedded default. */
  database?: DatabaseConfig;
  cron: CronConfig;
  /** `tcp://host:port` addresses of the Jenkins ZMQ event publishers. */
  zmqPublishers: string[];
  gearmanServers: GearmanServerConfig[];
  labels: LabelConfig[];
  providers: ProviderConfig[];
  targets: TargetConfig[];
  diskimages: DiskImageConfig[];
  /** Seconds a held node may stay held; absent means until an operator releases it. */
  maxHoldAge?: number;
  timeouts: StateTimeouts;
  nats: NatsConfig;
}

export type DatabaseConfig = MysqlDatabaseConfig | SqliteDatabaseConfig;

export interface MysqlDatabaseConfig {
  dialect: 'mysql';
  host: string;
  port: number;
  user?: string;
  password?: string;
  database: string;
  /** Query parameters of the URL, e.g. `charset`. */
  options: Record<string, string>;
  /** Which input supplied it, for operators wondering why a value won. */
  from: SecretOrigin;
}

export interface SqliteDatabaseConfig {
  dialect: 'sqlite';
  /** A path, or `:memory:`. Relative paths are relative to the working directory. */
  filename: string;
  from: SecretOrigin;
}

export type SecretOrigin = 'nodepool.yaml' | 'secure.conf' | 'clouds.yaml' | 'environment';

/** Croner patterns: five fields, or six with seconds first. */
export interface CronConfig {
  imageUpdate: string;
  cleanup: string;
  check: string;
}

export interface GearmanServerConfig {
  host: string;
  port: number;
}

export interface LabelConfig {
  name: string;
  /** Name of the provider image nodes of this label boot from. */
  image: string;
  /** -1 disables the label: its image is no longer built and no node is launched. */
  minReady: number;
  subnodes: number;
  readyScript?: string;
  /** Names of the providers that may supply this label. */
  providers: string[];
}

export interface ProviderConfig {
  name: string;
  auth: ProviderAuth;
  regionName?: string;
  serviceType?: string;
  serviceName?: string;
  /** Seconds for one cloud API call; absent means the client's own default. */
  apiTimeout?: number;
  /** 0 keeps the provider configured but launches nothing on it. */
  maxServers: number;
  /** Seconds from ACTIVE until SSH must answer. */
  bootTimeout: number;
  /** Seconds from create until the server must be ACTIVE. */
  launchTimeout: number;
  /** Minimum seconds between two API calls to this provider. */
  rate: number;
  keypair?: string;
  /** Floating IP pool. */
  pool?: string;
  networks: NetworkConfig[];
  /** A node's AZ is chosen at random among these; empty lets the cloud choose. */
  availabilityZones: string[];
  /** Name of the template server booted to make a snapshot image. */
  templateHostname: string;
  imageType: ImageType;
  ipv6Preferred: boolean;
  images: ImageConfig[];
  /** Attempts to launch one node before it is failed. */
  launchRetries: number;
  /** Whether the ready check verifies the server's SSH host key. */
  hostKeyChecking: boolean;
  /**
   * Boot servers without any network (Nova's `networks: none`), for a cloud that has none to
   * give, such as Nova on its fake driver. Otherwise `networks`, or the cloud's choice.
   */
  noNetwork: boolean;
}

/**
 * Keystone credentials. When `cloud` names a `clouds.yaml` entry that could not be found (no
 * `clouds.yaml` was available), the other fields may be missing and a warning says so.
 */
export interface ProviderAuth {
  cloud?: string;
  authUrl?: string;
  username?: string;
  password?: string;
  /**
   * Nodepool's `project-id`. Nodepool of 2015 handed it to Keystone as the project *name*
   * (a v2 tenant name), so a cloud client should try it as a name.
   */
  projectId?: string;
  projectName?: string;
  userDomainName?: string;
  projectDomainName?: string;
  /** Which input supplied the password, when there is one. */
  passwordFrom?: SecretOrigin;
}

export const IMAGE_TYPES = ['qcow2', 'vhd', 'raw'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** Exactly one of `id` (net-id) or `name` (net-label or name) is set. */
export interface NetworkConfig {
  id?: string;
  name?: string;
  public: boolean;
}

export interface ImageConfig {
  name: string;
  /** Cloud image (name or UUID) a snapshot image starts from. */
  baseImage?: string;
  minRam: number;
  nameFilter?: string;
  /** Script in script-dir that prepares a snapshot image. */
  setup?: string;
  /** Name of a `diskimages` entry; when set the image is built by diskimage-builder. */
  diskimage?: string;
  username: string;
  userHome: string;
  privateKey: string;
  configDrive: boolean;
  meta: Record<string, unknown>;
}

export interface TargetConfig {
  name: string;
  /** Absent for a target without Jenkins (nodes are made but registered nowhere). */
  jenkins?: JenkinsConfig;
  rate: number;
  hostname: string;
  subnodeHostname: string;
}

export interface JenkinsConfig {
  url: string;
  user: string;
  apikey: string;
  credentialsId?: string;
  /** Job that must succeed on a new node before it is offered to builds. */
  testJob?: string;
  apikeyFrom: SecretOrigin;
}

export interface DiskImageConfig {
  name: string;
  elements: string[];
  /** Passed to diskimage-builder as DIB_RELEASE, hence always a string. */
  release?: string;
  envVars: Record<string, string>;
}

/**
 * Seconds a node may stay in each state before the sweep acts on it; 0 means no limit.
 * Defaults and their origins are in defaults.ts.
 */
export interface StateTimeouts {
  building: number;
  booted: number;
  ready: number;
  inUse: number;
  used: number;
  deleting: number;
}

export interface NatsConfig {
  url: string;
}

export interface LoadedConfig {
  config: PoolConfig;
  /** One line per warning: key path and what was ignored or assumed. */
  warnings: string[];
}
