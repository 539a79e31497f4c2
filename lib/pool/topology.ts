import type { ImageConfig, LabelConfig, PoolConfig, ProviderConfig } from '../config/index.ts';
import { ErrorCode, WhiskpoolError } from '../errors.ts';

/**
 * Look-ups into the configuration by name. A node row names its provider, label and target;
 * when the configuration no longer has one of them (an operator removed it), the step gets a
 * typed error instead of a crash.
 */

export function providerOf(config: PoolConfig, name: string): ProviderConfig {
  const provider = config.providers.find((p) => p.name === name);
  if (!provider) throw missing(`provider "${name}"`);
  return provider;
}

export function labelOf(config: PoolConfig, name: string): LabelConfig {
  const label = config.labels.find((l) => l.name === name);
  if (!label) throw missing(`label "${name}"`);
  return label;
}

/** The provider's image that a label boots from. */
export function imageFor(config: PoolConfig, labelName: string, providerName: string) {
  const label = labelOf(config, labelName);
  const provider = providerOf(config, providerName);
  const image = provider.images.find((i: ImageConfig) => i.name === label.image);
  if (!image) throw missing(`image "${label.image}" of provider "${providerName}"`);
  return image;
}

export function targetOf(config: PoolConfig, name: string) {
  const target = config.targets.find((t) => t.name === name);
  if (!target) throw missing(`target "${name}"`);
  return target;
}

function missing(what: string) {
  return new WhiskpoolError(ErrorCode.ConfigInvalid, `${what} is not in the configuration`);
}
