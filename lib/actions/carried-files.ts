import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import type { PoolConfig } from '../config/index.ts';
import { ErrorCode, WhiskpoolError } from '../errors.ts';
import { readScripts, type ScriptFile } from '../image/scripts.ts';
import type { ActionSettings } from './settings.ts';

/**
 * Files the actions read that live on the operator's machine: each image's `private-key` and
 * the files of `script-dir`. An OpenWhisk container has neither, so `deploy` carries them in
 * the package's parameters, beside the configuration and its passwords.
 */
export interface CarriedFiles {
  /** Each private key, base64, by the path the configuration gives it. */
  privateKeys: Record<string, string>;
  /** The regular files of script-dir, when the configuration names one. */
  scripts?: { name: string; mode: number; base64: string }[];
}

/** OpenWhisk refuses parameters larger than this (a fixed limit). */
export const PARAMETER_LIMIT_BYTES = 1024 * 1024;

/**
 * The settings with the files they need carried along, and a config version that changes when
 * a file does, so warm containers read the new ones.
 */
export async function withCarriedFiles(settings: ActionSettings): Promise<ActionSettings> {
  const files = await carryFiles(settings.config);
  const digest = createHash('sha256')
    .update(settings.configVersion)
    .update(JSON.stringify(files))
    .digest('hex');
  const carried = { ...settings, files, configVersion: digest.slice(0, 16) };

  const bytes = Buffer.byteLength(JSON.stringify(carried));
  if (bytes > PARAMETER_LIMIT_BYTES) {
    const scriptBytes = (files.scripts ?? []).reduce((sum, s) => sum + s.base64.length, 0);
    throw new WhiskpoolError(
      ErrorCode.ConfigInvalid,
      `the actions' settings come to ${kib(bytes)} KiB, over OpenWhisk's 1024 KiB parameter ` +
        `limit; script-dir takes ${kib(scriptBytes)} KiB of that`,
    );
  }
  return carried;
}

async function carryFiles(config: PoolConfig): Promise<CarriedFiles> {
  // Loaded here: the actions, which read carried files, need not pay for loading ssh2.
  const { privateKeyProblem } = await import('../ssh/keys.ts');
  const privateKeys: Record<string, string> = {};
  for (const [p, provider] of config.providers.entries()) {
    for (const [i, image] of provider.images.entries()) {
      if (Object.hasOwn(privateKeys, image.privateKey)) continue;
      const where = `providers[${p}].images[${i}].private-key: ${image.privateKey}`;
      let key: Buffer;
      try {
        key = await readFile(image.privateKey);
      } catch (cause) {
        const reason = (cause as Error).message;
        throw new WhiskpoolError(ErrorCode.ConfigInvalid, `${where} cannot be read: ${reason}`, {
          cause,
        });
      }

      // Found now, not by every ready check failing to log in once the pool runs.
      const problem = privateKeyProblem(key);
      if (problem !== undefined) {
        throw new WhiskpoolError(ErrorCode.ConfigInvalid, `${where} is no usable key: ${problem}`);
      }
      privateKeys[image.privateKey] = key.toString('base64');
    }
  }

  if (config.scriptDir === undefined) return { privateKeys };
  const scripts = (await readScripts(config.scriptDir)).map((file) => ({
    name: file.name,
    mode: file.mode,
    base64: file.content.toString('base64'),
  }));
  return { privateKeys, scripts };
}

/** The carried private key at `path`, if the settings carry it. */
export function carriedPrivateKey(files: CarriedFiles | undefined, path: string) {
  if (!files || !Object.hasOwn(files.privateKeys, path)) return undefined;
  return Buffer.from(files.privateKeys[path]!, 'base64');
}

/** The carried files of script-dir, if the settings carry them. */
export function carriedScripts(files: CarriedFiles | undefined): ScriptFile[] | undefined {
  return files?.scripts?.map((file) => ({
    name: file.name,
    mode: file.mode,
    content: Buffer.from(file.base64, 'base64'),
  }));
}

function kib(bytes: number): number {
  return Math.ceil(bytes / 1024);
}
