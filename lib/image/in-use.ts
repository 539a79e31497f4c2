import type { ImageConfig, PoolConfig, ProviderConfig } from '../config/index.ts';
import { ErrorCode, WhiskpoolError } from '../errors.ts';

export interface ProviderImage {
  provider: ProviderConfig;
  image: ImageConfig;
}

/** A provider's image by name; a typed error when the configuration no longer has it. */
export function providerImage(
  config: PoolConfig,
  providerName: string,
  imageName: string,
): ProviderImage {
  const provider = config.providers.find((p) => p.name === providerName);
  const image = provider?.images.find((i) => i.name === imageName);
  if (!provider || !image) {
    throw new WhiskpoolError(
      ErrorCode.ConfigInvalid,
      `image "${imageName}" of provider "${providerName}" is not in the configuration`,
    );
  }
  return { provider, image };
}

/**
 * The provider images some label boots from, each once: Nodepool's "in use" images, those of
 * labels with min-ready of 0 or more. Images built by diskimage-builder are not snapshots and
 * are left out.
 */
export function imagesInUse(config: PoolConfig): ProviderImage[] {
  const found = new Map<string, ProviderImage>();
  for (const label of config.labels) {
    if (label.minReady < 0) continue;
    for (const providerName of label.providers) {
      const provider = config.providers.find((p) => p.name === providerName);
      const image = provider?.images.find((i) => i.name === label.image);
      if (!provider || !image || image.diskimage !== undefined) continue;
      found.set(`${provider.name}\u0000${image.name}`, { provider, image });
    }
  }
  return [...found.values()];
}
