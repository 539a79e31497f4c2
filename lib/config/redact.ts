import type { PoolConfig } from './types.ts';

export const REDACTED = '[secret]';

/**
 * A copy of the configuration that is safe to print or log: provider passwords, Jenkins API
 * keys and the database password are replaced by `[secret]`. Everything else is kept, so
 * operators can still see which user, URL and host are in use.
 */
export function redactConfig(config: PoolConfig): PoolConfig {
  const copy = structuredClone(config);

  for (const provider of copy.providers) {
    if (provider.auth.password !== undefined) provider.auth.password = REDACTED;
  }
  for (const target of copy.targets) {
    if (target.jenkins !== undefined) target.jenkins.apikey = REDACTED;
  }
  if (copy.database?.dialect === 'mysql' && copy.database.password !== undefined) {
    copy.database.password = REDACTED;
  }

  return copy;
}
