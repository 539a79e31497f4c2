import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { Environment } from './env-secrets.ts';
import { parseConfig, type SourceText } from './parse.ts';
import { ConfigInvalidError } from './problems.ts';
import type { LoadedConfig } from './types.ts';

export interface LoadOptions {
  /** Where secrets may come from; defaults to `process.env`. */
  env?: Environment;
  /**
   * Nodepool's `secure.conf`. When not given, a `secure.conf` beside the configuration file is
   * read if there is one (nodepool kept both in /etc/nodepool).
   */
  secureConfPath?: string;
  /**
   * OpenStack `clouds.yaml`, read only when a provider names a `cloud`. When not given, it is
   * looked for where os-client-config looked: $OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
   * ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml.
   */
  cloudsYamlPath?: string;
}

/**
 * Reads a nodepool.yaml and its companion files. Throws ConfigInvalidError when the file, or
 * a companion named explicitly, cannot be read or is invalid.
 */
export async function loadConfig(path: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const { text } = await readRequired(path, path);

  const secureConf =
    options.secureConfPath === undefined
      ? await readFirst([join(dirname(path), 'secure.conf')])
      : await readRequired(options.secureConfPath, path);

  const cloudsYaml = usesClouds(text)
    ? options.cloudsYamlPath === undefined
      ? await readFirst(cloudsYamlCandidates(env))
      : await readRequired(options.cloudsYamlPath, path)
    : undefined;

  return parseConfig(text, path, {
    env,
    ...(secureConf === undefined ? {} : { secureConf }),
    ...(cloudsYaml === undefined ? {} : { cloudsYaml }),
  });
}

async function readRequired(file: string, configSource: string): Promise<SourceText> {
  try {
    return { text: await readFile(file, 'utf8'), source: file };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigInvalidError(configSource, [`${file}: cannot be read (${reason})`]);
  }
}

async function readFirst(candidates: readonly string[]): Promise<SourceText | undefined> {
  for (const file of candidates) {
    try {
      return { text: await readFile(file, 'utf8'), source: file };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return undefined;
}

function cloudsYamlCandidates(env: Environment): string[] {
  const candidates: string[] = [];
  if (env.OS_CLIENT_CONFIG_FILE) candidates.push(env.OS_CLIENT_CONFIG_FILE);
  candidates.push(join(process.cwd(), 'clouds.yaml'));
  if (env.HOME) candidates.push(join(env.HOME, '.config', 'openstack', 'clouds.yaml'));
  candidates.push('/etc/openstack/clouds.yaml');
  return candidates;
}

/** A cheap look before searching the disk; parseConfig decides for real. */
function usesClouds(text: string): boolean {
  return /^\s*-?\s*cloud\s*:/m.test(text);
}
