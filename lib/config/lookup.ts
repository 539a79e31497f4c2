import type {
  ImageConfig,
  LabelConfig,
  PoolConfig,
  ProviderConfig,
  TargetConfig,
} from './types.ts';

/** Lookups by name; a loaded config has unique names, so the first match is the only one. */

export function findProvider(config: PoolConfig, name: string): ProviderConfig | undefined {
  return config.providers.find((provider) => provider.name === name);
}

export function findLabel(config: PoolConfig, name: string): LabelConfig | undefined {
  return config.labels.find((label) => label.name === name);
}

export function findTarget(config: PoolConfig, name: string): TargetConfig | undefined {
  return config.targets.find((target) => target.name === name);
}

/** The provider image that nodes of `label` boot from on `provider`. */
export function findImage(provider: ProviderConfig, label: LabelConfig): ImageConfig | undefined {
  return provider.images.find((image) => image.name === label.image);
}
