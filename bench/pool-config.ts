import { readFileSync, writeFileSync } from 'node:fs';

import { writeTestPool, type TestPool } from '../test/support/pool-config.ts';

export const BENCH_LABELS = ['ci-jessie-wikimedia', 'ci-trusty-wikimedia'] as const;
export const BENCH_MIN_READY = 2;

/**
 * The end-to-end test's pool (two of Wikimedia's labels, every service on a free port of
 * 127.0.0.1, state in a fresh directory) with the bench's max-servers and database.
 */
export async function writeBenchPool(options: {
  maxServers: number;
  /** A `mysql://` URL; the pool's own SQLite file when absent. */
  databaseUrl?: string;
}): Promise<TestPool> {
  const pool = await writeTestPool({
    labels: BENCH_LABELS.map((name) => ({ name, minReady: BENCH_MIN_READY })),
    maxServers: options.maxServers,
  });
  if (!options.databaseUrl) return pool;

  const yaml = readFileSync(pool.configPath, 'utf8');
  const line = `database: ${pool.databaseUrl}\n`;
  if (!yaml.includes(line)) throw new Error(`bench: no "${line.trim()}" line to replace`);
  writeFileSync(pool.configPath, yaml.replace(line, `database: '${options.databaseUrl}'\n`));
  return { ...pool, databaseUrl: options.databaseUrl };
}
