import type { CloudsYaml } from './clouds-yaml.ts';
import { compact } from './values.ts';
import { parseDatabaseUrl, redactDatabaseUrl } from './database.ts';
import {
  DATABASE_URL_VARIABLE,
  type Environment,
  envName,
  providerPasswordVariable,
  readVariable,
  targetApikeyVariable,
} from './env-secrets.ts';
import type { Findings } from './problems.ts';
import { resolveProvider } from './provider.ts';
import type { NodepoolYaml } from './schema.ts';
import type { SecureConf } from './secure-conf.ts';
import { resolveTarget } from './target.ts';
import type {
  CronConfig,
  DatabaseConfig,
  LabelConfig,
  PoolConfig,
  SecretOrigin,
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
