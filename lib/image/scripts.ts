import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { ErrorCode, WhiskpoolError } from '../errors.ts';

/** Where Nodepool's images keep script-dir; ready scripts run from there on every machine. */
export const SCRIPTS_DIR = '/opt/nodepool-scripts';

/** The command that runs a label's ready script on a machine, as Nodepool ran it. */
export function readyScriptCommand(script: string, hostname: string | null): string {
  return `cd ${SCRIPTS_DIR} && ./${script} ${hostname ?? ''}`.trim();
}

export interface ScriptFile {
  name: string;
  content: Buffer;
  /** Permission bits, so that executable scripts stay executable. */
  mode: number;
}

/**
 * Every regular file of `script-dir` (a relative path is taken from the working directory),
 * by name. Subdirectories are skipped, as Nodepool skipped them, and so are dangling links.
 */
export async function readScripts(scriptDir: string): Promise<ScriptFile[]> {
  const dir = resolve(scriptDir);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (cause) {
    throw new WhiskpoolError(
      ErrorCode.ConfigInvalid,
      `script-dir ${dir} cannot be read: ${(cause as Error).message}`,
      { cause },
    );
  }

  const files: ScriptFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      // A dangling link (an editor's lock file, say) is no file, like a subdirectory.
      const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      if (!info?.isFile()) continue;
      files.push({ name, content: await readFile(path), mode: info.mode & 0o777 });
    } catch (cause) {
      throw new WhiskpoolError(
        ErrorCode.ConfigInvalid,
        `script-dir ${dir}: ${name} cannot be read: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  return files;
}

/**
 * `NAME='value' ` for every NODEPOOL_* variable of `env`, for a shell command line: Nodepool
 * handed its own environment's NODEPOOL_* variables to the setup script this way.
 */
export function nodepoolVariables(env: NodeJS.ProcessEnv): string {
  return Object.entries(env)
    .filter(([name, value]) => /^NODEPOOL_\w*$/.test(name) && value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${shellQuote(value ?? '')} `)
    .join('');
}

/** One shell word whatever the text holds. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
