import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { loadConfig, type LoadedConfig } from '../lib/config/index.ts';
import type { ActionSettings } from '../lib/actions/settings.ts';
import { databaseUrlOf } from '../lib/db/url.ts';

/** The embedded default: the local stack of config/local.yaml. */
export const DEFAULT_CONFIG =
  process.env.WHISKPOOL_CONFIG ?? fileURLToPath(new URL('../config/local.yaml', import.meta.url));

export interface GlobalOptions {
  config: string;
  secure?: string;
}

export async function readConfig(options: GlobalOptions): Promise<LoadedConfig> {
  return loadConfig(options.config, { secureConfPath: options.secure });
}

/** The settings every action receives, derived from a loaded configuration. */
export function actionSettings(loaded: LoadedConfig): ActionSettings {
  const { config } = loaded;
  const configVersion = createHash('sha256').update(JSON.stringify(config)).digest('hex');
  return {
    config,
    configVersion: configVersion.slice(0, 16),
    databaseUrl: databaseUrlOf(config.database),
    natsUrl: config.nats.url,
    logLevel: process.env.WHISKPOOL_LOG_LEVEL,
  };
}
