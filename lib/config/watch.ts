import { createHash } from 'node:crypto';
import { statSync, watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

import type { Logger } from '../log.ts';
import { ConfigInvalidError } from './problems.ts';
import type { LoadedConfig, PoolConfig } from './types.ts';

/** Where a running process gets its configuration again. */
export interface ConfigSource {
  /** The nodepool.yaml watched for changes. */
  path: string;
  /** Reads and validates it, with whatever companions (secure.conf) the process was given. */
  load(): Promise<LoadedConfig>;
}

export interface ConfigWatchOptions {
  log: Logger;
  /** The configuration in force; only a different valid one is passed to onChange. */
  current: PoolConfig;
  onChange(next: LoadedConfig): void | Promise<void>;
  /** Quiet time after the last change before the file is read; editors write in bursts. */
  debounceMs?: number;
  /** How often the file's size and time are also looked at. Default 2 s. */
  pollMs?: number;
}

export interface ConfigWatch {
  /** Looks at the file now, as a change notice would; resolves when that look is done. */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Re-reads the configuration when its file changes, as Nodepool re-read its file on every
 * pass. The directory is watched rather than the file, because editors and configuration
 * tools replace a file instead of writing into it; a periodic look at the file's size and
 * time catches what the watch misses (network filesystems, some containers). A file that
 * does not validate is refused with a log line naming each problem, once per version of the
 * file, and the configuration in force stays.
 */
export function watchConfig(source: ConfigSource, options: ConfigWatchOptions): ConfigWatch {
  const { log } = options;
  const debounceMs = options.debounceMs ?? 250;
  let applied = fingerprint(options.current);
  let refusedText = '';
  let lastStat = statSignature(source.path);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  async function look() {
    let text: string;
    try {
      text = await readFile(source.path, 'utf8');
    } catch (error) {
      // Mid-replace the file is briefly missing; the next notice finds the new one.
      log.debug({ path: source.path, err: (error as Error).message }, 'configuration unreadable');
      return;
    }
    const textHash = hash(text);
    if (textHash === refusedText) return;

    let loaded: LoadedConfig;
    try {
      loaded = await source.load();
    } catch (error) {
      if (!(error instanceof ConfigInvalidError)) throw error;
      refusedText = textHash;
      log.error(
        { path: source.path, problems: error.problems },
        'new configuration refused; the previous one stays in force',
      );
      return;
    }
    refusedText = '';

    const next = fingerprint(loaded.config);
    if (next === applied) return;
    applied = next;
    for (const warning of loaded.warnings) log.warn({ warning }, 'configuration warning');
    log.info({ path: source.path }, 'configuration reloaded');
    await options.onChange(loaded);
  }

  /** Looks run one after another, so two quick edits never apply out of order. */
  function check(): Promise<void> {
    running = running
      .then(() => (stopped ? undefined : look()))
      .catch((error: unknown) => log.error({ err: error }, 'configuration reload failed'));
    return running;
  }

  function notice() {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void check(), debounceMs);
  }

  let watcher: FSWatcher | undefined;
  try {
    const name = basename(source.path);
    watcher = watch(dirname(source.path), (_event, file) => {
      if (file === null || file === name) notice();
    });
    watcher.on('error', (error) => log.warn({ err: error.message }, 'configuration watch failed'));
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'cannot watch the configuration; polling only');
  }

  const poll = setInterval(() => {
    stat(source.path).then(
      (info) => {
        const seen = `${info.ino}:${info.size}:${info.mtimeMs}`;
        if (seen !== lastStat) notice();
        lastStat = seen;
      },
      () => undefined,
    );
  }, options.pollMs ?? 2000);
  poll.unref();

  return {
    check,
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(poll);
      watcher?.close();
    },
  };
}

function statSignature(path: string): string {
  try {
    const info = statSync(path);
    return `${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch {
    return '';
  }
}

/** Two configurations that mean the same have the same fingerprint. */
function fingerprint(config: PoolConfig): string {
  return hash(JSON.stringify(config));
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
