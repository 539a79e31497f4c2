import type { CloudCallHook, CloudProvider } from '../cloud/provider.ts';
import { createOpenStackProvider } from '../cloud/openstack/provider.ts';
import type { PoolConfig } from '../config/index.ts';
import { ErrorCode, WhiskpoolError } from '../errors.ts';
import { JenkinsClient, type CallHook } from '../jenkins/index.ts';
import type { Logger } from '../log.ts';

/**
 * The cloud client of a configured provider. Actions and the operator's commands build their
 * clients here, so both talk to a provider with the same credentials and timeouts.
 */
export function openStackClientFor(
  config: PoolConfig,
  providerName: string,
  log: Logger,
  onCall?: CloudCallHook,
): CloudProvider {
  const provider = config.providers.find((p) => p.name === providerName);
  if (!provider) {
    throw new WhiskpoolError(
      ErrorCode.ConfigInvalid,
      `provider "${providerName}" is not configured`,
    );
  }
  const { auth } = provider;
  if (!auth.authUrl || !auth.username || !auth.password) {
    throw new WhiskpoolError(
      ErrorCode.ConfigInvalid,
      `provider "${providerName}": auth-url, username and password are all needed`,
    );
  }
  return createOpenStackProvider(
    {
      name: provider.name,
      authUrl: auth.authUrl,
      username: auth.username,
      password: auth.password,
      // Nodepool of 2015 gave Keystone its project-id as the project's name.
      projectName: auth.projectName ?? auth.projectId,
      userDomainName: auth.userDomainName,
      projectDomainName: auth.projectDomainName,
      regionName: provider.regionName,
      apiTimeoutMs: provider.apiTimeout === undefined ? undefined : provider.apiTimeout * 1000,
      onCall,
    },
    log,
  );
}

/** The Jenkins client of a configured target; null for a target without Jenkins. */
export function jenkinsClientFor(
  config: PoolConfig,
  targetName: string,
  log: Logger,
  onCall?: CallHook,
): JenkinsClient | null {
  const settings = config.targets.find((t) => t.name === targetName)?.jenkins;
  if (!settings) return null;
  return new JenkinsClient({
    target: { name: targetName, url: settings.url, user: settings.user, apiKey: settings.apikey },
    log,
    onCall,
  });
}
