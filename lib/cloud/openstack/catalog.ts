/** Keystone v3 service catalog, as returned in the body of a token. */
export interface CatalogEntry {
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export interface CatalogEndpoint {
  url: string;
  interface: string;
  region?: string | null;
  region_id?: string | null;
}

export interface EndpointWanted {
  /** Service type, e.g. `compute` or `image`. */
  type: string;
  /** `public`, `internal` or `admin`; v2-style `publicURL` is accepted too. */
  interface: string;
  /** Any region when absent. */
  region?: string;
}

/** The endpoint URL (without a trailing slash), or a reason why there is none. */
export function findEndpoint(
  catalog: readonly CatalogEntry[],
  want: EndpointWanted,
): { url: string } | { missing: string } {
  const face = want.interface.replace(/URL$/, '');
  const services = catalog.filter((entry) => entry.type === want.type);
  if (services.length === 0) {
    const types = [...new Set(catalog.map((entry) => entry.type))].sort().join(', ');
    return { missing: `no '${want.type}' service in the catalog (types: ${types || 'none'})` };
  }

  const endpoints = services.flatMap((entry) => entry.endpoints);
  const match = endpoints.find(
    (endpoint) =>
      endpoint.interface === face &&
      (want.region === undefined || regionOf(endpoint) === want.region),
  );
  if (match) return { url: match.url.replace(/\/+$/, '') };

  const offered = endpoints.map((e) => `${e.interface}@${regionOf(e) ?? '-'}`).join(', ');
  const where = want.region === undefined ? '' : ` in region '${want.region}'`;
  return {
    missing: `no ${face} '${want.type}' endpoint${where} (offered: ${offered || 'none'})`,
  };
}

function regionOf(endpoint: CatalogEndpoint): string | undefined {
  return endpoint.region_id ?? endpoint.region ?? undefined;
}
