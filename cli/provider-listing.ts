import type { Command } from 'commander';

import type { PoolConfig } from '../lib/config/index.ts';

/** A cloud listing over several providers: what was found, and which providers failed. */
export interface ProviderListing<T> {
  items: T[];
  failures: { provider: string; message: string }[];
}

/**
 * The providers a listing command covers: the one named, or all. A name that is not
 * configured is a usage error (the command's usage follows, and the exit status is 2).
 */
export function providersNamed(command: Command, config: PoolConfig, name?: string): string[] {
  const all = config.providers.map((provider) => provider.name);
  if (name === undefined) return all;
  if (!all.includes(name)) {
    const known = all.length > 0 ? all.join(', ') : 'none';
    command.error(`error: provider '${name}' is not in the configuration (it has: ${known})`, {
      exitCode: 2,
      code: 'whiskpool.unknownProvider',
    });
  }
  return [name];
}

/**
 * Lists each provider in turn. One cloud failing does not hide the others' answers (Nodepool's
 * listings survived a failing provider too); the failure is reported beside them.
 */
export async function listPerProvider<T>(
  providers: readonly string[],
  list: (provider: string) => Promise<T[]>,
): Promise<ProviderListing<T>> {
  const listing: ProviderListing<T> = { items: [], failures: [] };
  for (const provider of providers) {
    try {
      listing.items.push(...(await list(provider)));
    } catch (error) {
      listing.failures.push({ provider, message: (error as Error).message });
    }
  }
  return listing;
}

/** Says on stderr which providers could not be listed; the command then exits 1. */
export function reportFailures(listing: ProviderListing<unknown>) {
  for (const failure of listing.failures) {
    process.stderr.write(`whiskpool: provider '${failure.provider}': ${failure.message}\n`);
  }
  if (listing.failures.length > 0) process.exitCode = 1;
}
