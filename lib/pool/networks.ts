import type { CloudProvider } from '../cloud/provider.ts';
import type { ProviderConfig } from '../config/index.ts';
import { ErrorCode, WhiskpoolError } from '../errors.ts';

/**
 * What a server of `provider` is attached to: `none` for a provider without networks, each
 * `net-id` as it is, each `net-label` looked up by name in Neutron (Nodepool asked Nova's
 * os-tenant-networks, which Nova no longer answers), and nothing at all to leave the choice
 * to the cloud.
 */
export async function serverNetworks(cloud: CloudProvider, provider: ProviderConfig) {
  if (provider.noNetwork) return 'none' as const;

  const attached: { uuid: string }[] = [];
  for (const network of provider.networks) {
    if (network.id) {
      attached.push({ uuid: network.id });
      continue;
    }
    if (!network.name) continue;

    const found = await cloud.findNetwork(network.name);
    if (!found) {
      throw new WhiskpoolError(
        ErrorCode.CloudRequestRefused,
        `provider '${provider.name}' has no network named "${network.name}" (net-label)`,
      );
    }
    attached.push({ uuid: found.id });
  }
  return attached.length > 0 ? attached : undefined;
}
