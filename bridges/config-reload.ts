import type { PoolConfig } from '../lib/config/index.ts';
import { watchConfig, type ConfigSource, type ConfigWatch } from '../lib/config/watch.ts';
import type { Logger } from '../lib/log.ts';

/**
 * Follows one part of the configuration for a bridge: when a reloaded file changes that part
 * (the Gearman servers, say), `apply` gets the new value; other changes leave the bridge be.
 * Without a source the bridge keeps the configuration it started with.
 */
export function followConfig<T>(
  source: ConfigSource | undefined,
  config: PoolConfig,
  log: Logger,
  part: (config: PoolConfig) => T,
  apply: (value: T) => Promise<void>,
): ConfigWatch | undefined {
  if (!source) return undefined;
  let current = JSON.stringify(part(config));

  return watchConfig(source, {
    log,
    current: config,
    async onChange({ config: next }) {
      const value = part(next);
      const text = JSON.stringify(value);
      if (text === current) return;
      current = text;
      await apply(value);
    },
  });
}
