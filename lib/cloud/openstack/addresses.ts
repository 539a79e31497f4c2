/** One entry of a Nova server's `addresses` map. */
export interface NovaAddress {
  addr: string;
  version: number;
  'OS-EXT-IPS:type'?: string;
}

export interface ServerAddresses {
  addresses?: Record<string, NovaAddress[]>;
  accessIPv4?: string;
  accessIPv6?: string;
}

/**
 * The address to reach a server by, after Nodepool's rules in a simpler form: an address the
 * operator published (accessIPv4), a floating IP, an address on a network called `public`,
 * any IPv4 address outside the private ranges, and only then a private one.
 */
export function chooseIpv4(server: ServerAddresses): string | undefined {
  if (server.accessIPv4) return server.accessIPv4;

  const all = Object.entries(server.addresses ?? {}).flatMap(([network, list]) =>
    list.filter((a) => a.version === 4).map((address) => ({ network, address })),
  );
  const floating = all.find((a) => a.address['OS-EXT-IPS:type'] === 'floating');
  const onPublic = all.find((a) => a.network.toLowerCase() === 'public');
  const routable = all.find((a) => !isPrivateIpv4(a.address.addr));
  const chosen = floating ?? onPublic ?? routable ?? all[0];
  return chosen?.address.addr;
}

/** The first global IPv6 address; link-local ones cannot be reached from outside the host. */
export function chooseIpv6(server: ServerAddresses): string | undefined {
  if (server.accessIPv6) return server.accessIPv6;

  const all = Object.values(server.addresses ?? {}).flat();
  return all.find((a) => a.version === 6 && !/^fe80:/i.test(a.addr))?.addr;
}

/** RFC 1918 ranges plus shared address space (RFC 6598), which is private to a carrier. */
export function isPrivateIpv4(addr: string): boolean {
  const parts = addr.split('.').map(Number);
  const [a = -1, b = -1] = parts;
  if (a === 10) return true;
  if (a === 172 && b >= 16 && b <= 31) return true;
  if (a === 192 && b === 168) return true;
  return a === 100 && b >= 64 && b <= 127;
}
