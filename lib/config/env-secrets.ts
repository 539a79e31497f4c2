/**
 * Secrets may come from the environment instead of files, for deployments that inject them
 * (OpenWhisk action parameters, systemd credentials, CI variables):
 *
 *     WHISKPOOL_PROVIDER_<NAME>_PASSWORD   provider NAME's Keystone password
 *     WHISKPOOL_TARGET_<NAME>_APIKEY       target NAME's Jenkins API token
 *     WHISKPOOL_DATABASE_URL               the database URL (mysql://... or sqlite:PATH)
 *
 * NAME is the provider or target name upper-cased, with every character other than A-Z and
 * 0-9 written as `_`: provider `rax-dfw` reads `WHISKPOOL_PROVIDER_RAX_DFW_PASSWORD`.
 *
 * Precedence, highest first:
 * - environment variable
 * - secure.conf (`[database] dburi`, `[jenkins "NAME"]`)
 * - nodepool.yaml (`dburi` / `database`, provider keys, `targets[].jenkins`)
 * - clouds.yaml (for providers with `cloud`; keys in nodepool.yaml override it, as
 *   os-client-config let them)
 */
export type Environment = Readonly<Record<string, string | undefined>>;

export const DATABASE_URL_VARIABLE = 'WHISKPOOL_DATABASE_URL';

export function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export function providerPasswordVariable(providerName: string): string {
  return `WHISKPOOL_PROVIDER_${envName(providerName)}_PASSWORD`;
}

export function targetApikeyVariable(targetName: string): string {
  return `WHISKPOOL_TARGET_${envName(targetName)}_APIKEY`;
}

/** The variable's value, treating an empty one as unset. */
export function readVariable(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
