import type { CloudEntry, CloudsYaml } from './clouds-yaml.ts';
import { compact, firstGiven } from './values.ts';
import { type Environment, providerPasswordVariable, readVariable } from './env-secrets.ts';
import { isHttpUrl } from './fields.ts';
import type { SecretSources } from './normalize.ts';
import { describeValue, type Findings, type KeyPath } from './problems.ts';
import type { RawProvider } from './schema.ts';
import type { ImageConfig, ProviderAuth, ProviderConfig } from './types.ts';

/** A provider with its credentials merged from nodepool.yaml, clouds.yaml and the environment. */
export function resolveProvider(
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
    noNetwork: raw['no-network'],
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
  const password = firstGiven([
    ['environment', readVariable(env, providerPasswordVariable(raw.name))],
    ['nodepool.yaml', raw.password],
    ['clouds.yaml', cloud?.password],
  ]);

  return compact({
    cloud: raw.cloud,
    authUrl: raw['auth-url'] ?? cloud?.authUrl,
    username: raw.username ?? cloud?.username,
    password: password?.value,
    projectId: raw['project-id'] ?? cloud?.projectId,
    projectName: raw['project-name'] ?? cloud?.projectName,
    userDomainName: cloud?.userDomainName,
    projectDomainName: cloud?.projectDomainName,
    passwordFrom: password?.from,
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
    const got = describeValue(auth.authUrl, ['auth-url']);
    findings.problem(where, `must be a URL like https://host/path, got ${got}`);
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
