import type { CloudFlavor, CloudProvider } from './provider.ts';

/**
 * Flavors hardly ever change, and every launch needs them: one listing serves all launches
 * for `ttlMs` (Nodepool cached them for the life of its process).
 */
export function withFlavorCache(cloud: CloudProvider, ttlMs = 300_000): CloudProvider {
  let cached: { at: number; flavors: Promise<CloudFlavor[]> } | undefined;

  const listFlavors = () => {
    if (!cached || Date.now() - cached.at > ttlMs) {
      const flavors = cloud.listFlavors();
      cached = { at: Date.now(), flavors };
      flavors.catch(() => (cached = undefined));
    }
    return cached.flavors;
  };

  return new Proxy(cloud, {
    get(target, property, receiver) {
      if (property === 'listFlavors') return listFlavors;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
