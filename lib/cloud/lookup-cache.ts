import type { CloudProvider } from './provider.ts';

/**
 * Flavors and networks hardly ever change, and every launch needs them: one listing of the
 * flavors and one look-up of each network name serve all launches for `ttlMs` (Nodepool kept
 * them for the life of its process). A failed call is not kept.
 */
export function withLookupCache(cloud: CloudProvider, ttlMs = 300_000): CloudProvider {
  const flavors = cached(() => cloud.listFlavors(), ttlMs);
  const networks = new Map<string, () => Promise<{ id: string } | null>>();

  const findNetwork = (name: string) => {
    let lookup = networks.get(name);
    if (!lookup) {
      lookup = cached(() => cloud.findNetwork(name), ttlMs);
      networks.set(name, lookup);
    }
    return lookup();
  };

  return new Proxy(cloud, {
    get(target, property, receiver) {
      if (property === 'listFlavors') return flavors;
      if (property === 'findNetwork') return findNetwork;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function cached<T>(load: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let kept: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!kept || Date.now() - kept.at > ttlMs) {
      const value = load();
      kept = { at: Date.now(), value };
      value.catch(() => (kept = undefined));
    }
    return kept.value;
  };
}
