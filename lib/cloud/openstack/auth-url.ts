/**
 * The Keystone v3 base URL for a configured auth URL. Configurations of Nodepool's era name the
 * v2.0 API (`http://keystone:35357/v2.0/`); Keystone serves v3 on the same host and port, so
 * the version part of the path is replaced rather than trusted.
 */
export function identityV3Url(authUrl: string): string {
  const url = new URL(authUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const versioned = /^(.*)\/v\d+(\.\d+)?$/.exec(path);

  url.pathname = versioned ? `${versioned[1]}/v3` : `${path}/v3`;
  url.search = '';
  url.hash = '';
  return url.toString();
}
