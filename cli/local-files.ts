import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { PoolConfig } from '../lib/config/index.ts';
import { readScripts } from '../lib/image/scripts.ts';

/**
 * Files the configuration names that this machine lacks: script-dir, the scripts in it, each
 * image's private key. Warnings, not problems: a file may be checked on one machine and used
 * on another (deploy carries them from the machine it runs on).
 */
export async function missingLocalFiles(config: PoolConfig): Promise<string[]> {
  const warnings: string[] = [];

  const scriptDir = config.scriptDir === undefined ? undefined : resolve(config.scriptDir);
  const scriptsThere = scriptDir !== undefined && (await isDirectory(scriptDir));
  if (scriptDir !== undefined && !scriptsThere) {
    warnings.push(`script-dir: ${scriptDir} is not a directory on this machine`);
  }
  // What image setup and deploy read: a file in it that cannot be read stops both.
  const scripts = scriptsThere
    ? await readScripts(scriptDir).catch((error: Error) => {
        warnings.push(error.message);
        return undefined;
      })
    : undefined;
  const names = new Set(scripts?.map((file) => file.name));
  const script = (where: string, name: string | undefined) => {
    if (name !== undefined && scripts !== undefined && !names.has(name)) {
      warnings.push(`${where}: ${name} is not in script-dir`);
    }
  };
  for (const [i, label] of config.labels.entries()) {
    script(`labels[${i}].ready-script`, label.readyScript);
  }

  const { privateKeyProblem } = await import('../lib/ssh/keys.ts');
  const keysSeen = new Set<string>();
  for (const [p, provider] of config.providers.entries()) {
    for (const [i, image] of provider.images.entries()) {
      script(`providers[${p}].images[${i}].setup`, image.setup);
      if (keysSeen.has(image.privateKey)) continue;
      keysSeen.add(image.privateKey);
      const where = `providers[${p}].images[${i}].private-key: ${image.privateKey}`;
      const key = await readFile(image.privateKey).catch((error: NodeJS.ErrnoException) => {
        warnings.push(`${where} cannot be read on this machine (${error.code ?? error.message})`);
      });
      const problem = key ? privateKeyProblem(key) : undefined;
      if (problem !== undefined) warnings.push(`${where} is no usable key: ${problem}`);
    }
  }
  return warnings;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}
