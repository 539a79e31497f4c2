import { resolve } from 'node:path';

import type { ConfigSource } from '../lib/config/watch.ts';
import { readConfig, type GlobalOptions } from './config-file.ts';

/** The configuration file a long-running command watches, read as it was read at start. */
export function configSource(options: GlobalOptions): ConfigSource {
  return { path: resolve(options.config), load: () => readConfig(options) };
}
