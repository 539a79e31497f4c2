import type { CloudEntry, CloudsYaml } from './clouds-yaml.ts';
import { parseDatabaseUrl, redactDatabaseUrl } from './database.ts';
import {
  DATABASE_URL_VARIABLE,
  type Environment,
  envName,
  providerPasswordVariable,
  readVariable,
  targetApikeyVariable,
} from './env-secrets.ts';
import { isHttpUrl } from './fields.ts';
import type { Findings, KeyPath } from './problems.ts';
import type { NodepoolYaml, RawProvider, RawTarget } from './schema.ts';
import type { SecureConf } from './secure-conf.ts';
import type {
  CronConfig,
  DatabaseConfig,
  ImageConfig,
  JenkinsConfig,
  LabelConfig,
  PoolConfig,
  ProviderAuth,
  ProviderConfig,
  SecretOrigin,
  TargetConfig,
} from './types.ts';

/** Where secrets may come from besides nodepool.yaml itself. */
export interface SecretSources {
  env: Environment;
  secureConf?: SecureConf;
  cloudsYaml?: CloudsYaml;
}

/** Turns the validated file into a PoolConfig, merging secrets and noting what is missing. */
export function normalizeConfig(
  raw: NodepoolYaml,
  source: string,
  sources: SecretSources,
  findings: Findings,
): PoolConfig {
  warnSharedVariables(raw.providers, 'providers', providerPasswordVariable, findings);
  warnSharedVariables(raw.targets, 'targets', targetApikeyVariable, findings);

  return compact({
    source,
    poolId: raw['pool-id'],
    scriptDir: raw['script-dir'],
    elementsDir: raw['elements-dir'],
    imagesDir: raw['images-dir'],
    database: resolveDatabase(raw, sources, findings),
    cron: normalizeCron(raw, findings),
    zmqPublishers: raw['zmq-publishers'],
    gearmanServers: raw['gearman-servers'],
    labels: raw.labels.map(normalizeLabel),
    providers: raw.providers.map((provider, index) =>
      resolveProvider(provider, ['providers', index], sources, findings),
    ),
    targets: raw.targets.map((target, index) =>
      resolveTarget(target, ['targets', index], sources, findings),
    ),
    diskimages: raw.diskimages.map((image) =>
      compact({
        name: image.name,
        elements: image.elements,
        release: image.release,
        envVars: image['env-vars'],
      }),
    ),
    maxHoldAge: raw['max-hold-age'],
    timeouts: {
      building: raw.timeouts.building,
      booted: raw.timeouts.booted,
      ready: raw.timeouts.ready,
      inUse: raw.timeouts['in-use'],
      used: raw.timeouts.used,
      deleting: raw.timeouts.deleting,
    },
    nats: raw.nats,
  });
}

function resolveDatabase(
  raw: NodepoolYaml,
  sources: SecretSources,
  findings: Findings,
): DatabaseConfig | undefined {
  if (raw.dburi !== undefined && raw.database !== undefined) {
    findings.problem(['database'], 'set either database or dburi, not both');
  }

  const fromEnv = readVariable(sources.env, DATABASE_URL_VARIABLE);
  if (fromEnv !== undefined) {
    return parseSecretUrl(fromEnv, 'environment', DATABASE_URL_VARIABLE, findings);
  }

  const secure = sources.secureConf;
  if (secure?.dburi !== undefined) {
    const where = `${secure.source} [database] dburi`;
    return parseSecretUrl(secure.dburi, 'secure.conf', where, findings);
  }

  return raw.database ?? raw.dburi;
}

function parseSecretUrl(
  text: string,
  from: SecretOrigin,
  where: string,
  findings: Findings,
): DatabaseConfig | undefined {
  try {
    return parseDatabaseUrl(text, from);
  } catch (error) {
    const shown = JSON.stringify(redactDatabaseUrl(text));
    findings.problem(where, `${(error as Error).message}, got ${shown}`);
    return undefined;
  }
}

function normalizeCron(raw: NodepoolYaml, findings: Findings): CronConfig {
  const specs = {
    imageUpdate: ['image-update', raw.cron['image-update']],
    cleanup: ['cleanup', raw.cron.cleanup],
    check: ['check', raw.cron.check],
  } as const;

  for (const [key, spec] of Object.values(specs)) {
    if (spec.warning !== undefined) findings.warn(['cron', key], spec.warning);
  }

  return {
    imageUpdate: specs.imageUpdate[1].pattern,
    cleanup: specs.cleanup[1].pattern,
    check: specs.check[1].pattern,
  };
}

function normalizeLabel(label: NodepoolYaml['labels'][number]): LabelConfig {
  return compact({
    name: label.name,
    image: label.image,
    minReady: label['min-ready'],
    subnodes: label.subnodes,
    readyScript: label['ready-script'],
    providers: label.providers.map((provider) => provider.name),
  });
}

function resolveProvider(
  raw: RawProvider,
  path: KeyPath,
  sources: SecretSources,
  findings: Findings,
): ProviderConfig {
  const cloud = findCloud(raw, path, sources.cloudsYaml, findings);
  const auth = mergeAuth(raw, cloud, sources.env);
  if (raw.cloud === undefined || sources.cloudsYaml !== undefined) {
    checkAuth(auth, raw, path, sources, findings);
  }

  return compact({
    name: raw.name,
    auth,
    regionName: raw['region-name'] ?? cloud?.regionName,
    serviceType: raw['service-type'],
    serviceName: raw['service-name'],
    apiTimeout: raw['api-timeout'],
    maxServers: raw['max-servers'],
    bootTimeout: raw['boot-timeout'],
    launchTimeout: raw['launch-timeout'],
    rate: raw.rate,
    keypair: raw.keypair,
    pool: raw.pool,
    networks: raw.networks.map((network) =>
      compact({
        id: network['net-id'],
        name: network['net-label'] ?? network.name,
        public: network.public,
      }),
    ),
    availabilityZones: raw['availability-zones'],
    templateHostname: raw['template-hostname'],
    imageType: raw['image-type'],
    ipv6Preferred: raw['ipv6-preferred'],
    images: raw.images.map((image, index) =>
      normalizeImage(image, [...path, 'images', index], findings),
    ),
    launchRetries: raw['launch-retries'],
    hostKeyChecking: raw['host-key-checking'],
  });
}

function findCloud(
  raw: RawProvider,
  path: KeyPath,
  cloudsYaml: CloudsYaml | undefined,
  findings: Findings,
): CloudEntry | undefined {
  if (raw.cloud === undefined) return undefined;

  if (cloudsYaml === undefined) {
    findings.warn(
      [...path, 'cloud'],
      `cloud "${raw.cloud}" not resolved: no clouds.yaml was given or found`,
    );
    return undefined;
  }

  const entry = cloudsYaml.clouds.get(raw.cloud);
  if (entry === undefined) {
    findings.problem([...path, 'cloud'], `cloud "${raw.cloud}" is not in ${cloudsYaml.source}`);
  }
  return entry;
}

/** Keys in nodepool.yaml override the clouds.yaml entry; the environment overrides both. */
function mergeAuth(
  raw: RawProvider,
  cloud: CloudEntry | undefined,
  env: Environment,
): ProviderAuth {
  const envPassword = readVariable(env, providerPasswordVariable(raw.name));
  const password = envPassword ?? raw.password ?? cloud?.password;
  const passwordFrom: SecretOrigin | undefined =
    envPassword !== undefined
      ? 'environment'
      : raw.password !== undefined
        ? 'nodepool.yaml'
        : cloud?.password !== undefined
          ? 'clouds.yaml'
          : undefined;

  return compact({
    cloud: raw.cloud,
    authUrl: raw['auth-url'] ?? cloud?.authUrl,
    username: raw.username ?? cloud?.username,
    password,
    projectId: raw['project-id'] ?? cloud?.projectId,
    projectName: raw['project-name'] ?? cloud?.projectName,
    userDomainName: cloud?.userDomainName,
    projectDomainName: cloud?.projectDomainName,
    passwordFrom,
  });
}

function checkAuth(
  auth: ProviderAuth,
  raw: RawProvider,
  path: KeyPath,
  sources: SecretSources,
  findings: Findings,
): void {
  const viaCloud = ' (or name a clouds.yaml entry with cloud)';

  if (auth.authUrl === undefined) {
    findings.problem([...path, 'auth-url'], `is required${raw.cloud ? '' : viaCloud}`);
  } else if (auth.authUrl === 'fake') {
    findings.warn(
      [...path, 'auth-url'],
      '"fake" is nodepool\'s test-fixture placeholder; this provider cannot authenticate',
    );
  } else if (!isHttpUrl(auth.authUrl)) {
    const where =
      raw['auth-url'] !== undefined
        ? [...path, 'auth-url']
        : `${sources.cloudsYaml?.source} clouds.${raw.cloud}.auth.auth_url`;
    findings.problem(where, `must be a URL like https://host/path, got "${auth.authUrl}"`);
  }

  if (auth.username === undefined) {
    findings.problem([...path, 'username'], `is required${raw.cloud ? '' : viaCloud}`);
  }
  if (auth.password === undefined) {
    const variable = providerPasswordVariable(raw.name);
    findings.problem([...path, 'password'], `is required (or set ${variable})`);
  }
  if (auth.projectId === undefined && auth.projectName === undefined) {
    findings.problem([...path, 'project-id'], 'is required (or project-name)');
  }
}

const META_LIMIT = 5;
const META_TEXT_LIMIT = 255;

function normalizeImage(
  image: RawProvider['images'][number],
  path: KeyPath,
  findings: Findings,
): ImageConfig {
  if (image.reset !== undefined) {
    findings.warn([...path, 'reset'], 'ignored: nodepool dropped reset scripts in 2015-03');
  }

  return compact({
    name: image.name,
    baseImage: image['base-image'],
    minRam: image['min-ram'],
    nameFilter: image['name-filter'],
    setup: image.setup,
    diskimage: image.diskimage,
    username: image.username,
    userHome: image['user-home'],
    privateKey: image['private-key'],
    configDrive: image['config-drive'],
    meta: checkMeta(image.meta, [...path, 'meta'], findings),
  });
}

/**
 * Nova takes at most five metadata entries of at most 255 characters each. Nodepool dropped
 * metadata that broke these rules instead of failing the boot, and so does whiskpool, aloud.
 */
function checkMeta(
  meta: Record<string, unknown>,
  path: KeyPath,
  findings: Findings,
): Record<string, unknown> {
  const entries = Object.entries(meta);
  const tooLong = entries.find(
    ([key, value]) =>
      key.length > META_TEXT_LIMIT || (typeof value === 'string' && value.length > META_TEXT_LIMIT),
  );

  if (entries.length > META_LIMIT) {
    findings.warn(path, `has ${entries.length} entries, nova takes at most ${META_LIMIT}: ignored`);
    return {};
  }
  if (tooLong !== undefined) {
    findings.warn(path, `entry "${tooLong[0].slice(0, 40)}" exceeds 255 characters: ignored`);
    return {};
  }
  return meta;
}

function resolveTarget(
  raw: RawTarget,
  path: KeyPath,
  sources: SecretSources,
  findings: Findings,
): TargetConfig {
  const target: TargetConfig = {
    name: raw.name,
    rate: raw.rate,
    hostname: raw.hostname,
    subnodeHostname: raw['subnode-hostname'],
  };

  const jenkins = resolveJenkins(raw, path, sources, findings);
  return jenkins === undefined ? target : { ...target, jenkins };
}

function resolveJenkins(
  raw: RawTarget,
  path: KeyPath,
  sources: SecretSources,
  findings: Findings,
): JenkinsConfig | undefined {
  const secure = sources.secureConf?.jenkins.get(raw.name);
  const secureWhere = `${sources.secureConf?.source} [jenkins "${raw.name}"]`;
  const jenkinsPath = [...path, 'jenkins'];
  const variable = targetApikeyVariable(raw.name);
  const envApikey = readVariable(sources.env, variable);

  if (secure?.url !== undefined && !isHttpUrl(secure.url)) {
    const got = JSON.stringify(secure.url);
    findings.problem(`${secureWhere} url`, `must be a URL like https://host/path, got ${got}`);
  }

  const url = secure?.url ?? raw.jenkins?.url;
  const user = secure?.user ?? raw.jenkins?.user;
  const apikey = envApikey ?? secure?.apikey ?? raw.jenkins?.apikey;
  const credentialsId = secure?.credentials ?? raw.jenkins?.['credentials-id'];
  const testJob = raw.jenkins?.['test-job'];

  if (url === undefined) {
    if (user !== undefined || (apikey !== undefined && envApikey === undefined)) {
      findings.problem([...jenkinsPath, 'url'], 'is required when jenkins user or apikey is set');
    }
    if (envApikey !== undefined) {
      findings.warn([...jenkinsPath, 'url'], `not set, so ${variable} is ignored`);
    }
    if (testJob !== undefined) {
      findings.warn([...jenkinsPath, 'test-job'], 'ignored: the target has no Jenkins url');
    }
    return undefined;
  }

  if (user === undefined) {
    findings.problem([...jenkinsPath, 'user'], `is required when jenkins url is set`);
  }
  if (apikey === undefined) {
    findings.problem(
      [...jenkinsPath, 'apikey'],
      `is required when jenkins url is set (or set ${variable})`,
    );
  }

  const apikeyFrom: SecretOrigin =
    envApikey !== undefined
      ? 'environment'
      : secure?.apikey !== undefined
        ? 'secure.conf'
        : 'nodepool.yaml';

  return compact({
    url,
    user: user ?? '',
    apikey: apikey ?? '',
    credentialsId,
    testJob,
    apikeyFrom,
  });
}

/** Two names that map to one variable cannot both be given a secret through it. */
function warnSharedVariables(
  entries: readonly { name: string }[],
  key: 'providers' | 'targets',
  variableOf: (name: string) => string,
  findings: Findings,
): void {
  const seen = new Map<string, { name: string; index: number }>();
  entries.forEach(({ name }, index) => {
    const first = seen.get(envName(name));
    if (first === undefined) {
      seen.set(envName(name), { name, index });
    } else if (first.name !== name) {
      findings.warn(
        [key, index, 'name'],
        `shares the variable ${variableOf(name)} with ${key}[${first.index}] "${first.name}"`,
      );
    }
  });
}

/** Drops keys whose value is undefined, so configs compare and print cleanly. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as T;
}
