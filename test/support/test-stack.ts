import {
  startLocalStack,
  type LocalStack,
  type LocalStackOptions,
} from '../../deploy/local-stack.ts';
import type { PoolConfig } from '../../lib/config/index.ts';
import { createLogger } from '../../lib/log.ts';
import type { TestPool } from './pool-config.ts';

/**
 * The whole local stack on a test pool, with the stand-ins and the quick settings end-to-end
 * tests share (servers boot in 100 ms, builds last 200 ms, Gearman is read every 250 ms);
 * `overrides` win.
 */
export function startTestStack(
  pool: TestPool,
  config: PoolConfig,
  overrides: Partial<LocalStackOptions> = {},
): Promise<LocalStack> {
  return startLocalStack({
    configPath: pool.configPath,
    config,
    dataDir: pool.dir,
    log: createLogger({ name: 'test', level: 'warn' }),
    standIns: true,
    bootDelayMs: 100,
    buildDurationMs: 200,
    gearmanPollMs: 250,
    ...overrides,
  });
}
