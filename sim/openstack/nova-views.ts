import type { SimFlavor } from './options.ts';
import type { SimServer } from './servers.ts';

/** Fields the server view gained with later microversions. */
export interface ViewFields {
  /** 2.19 */
  description: boolean;
  /** 2.26 */
  tags: boolean;
}

/**
 * Nova's server view with every field of its API reference samples (the admin-only
 * `OS-EXT-SRV-ATTR` ones included), and, as Nova does, without security groups or addresses
 * for a server that has no network.
 */
export function serverView(
  server: SimServer,
  base: string,
  projectId: string,
  userId: string,
  fields: ViewFields,
) {
  const booted = server.status === 'ACTIVE' || server.taskState === 'deleting';
  const networked = server.networkNames.length > 0;
  const view: Record<string, unknown> = {
    id: server.id,
    name: server.name,
    status: server.status,
    addresses: booted && networked ? addresses(server) : {},
    created: server.created,
    updated: server.updated,
    flavor: {
      id: server.flavor.id,
      links: [link(`${base}/flavors/${server.flavor.id}`, 'bookmark')],
    },
    image: { id: server.imageId, links: [link(`${base}/images/${server.imageId}`, 'bookmark')] },
    hostId: server.hostId,
    key_name: server.keyName,
    links: serverLinks(server.id, base),
    metadata: server.metadata,
    accessIPv4: '',
    accessIPv6: '',
    config_drive: server.configDrive ? 'True' : '',
    progress: server.status === 'BUILD' ? 0 : 100,
    tenant_id: projectId,
    user_id: userId,
    locked: false,
    'OS-DCF:diskConfig': 'AUTO',
    'OS-EXT-AZ:availability_zone': server.availabilityZone,
    'OS-EXT-SRV-ATTR:host': booted ? 'sim-compute' : null,
    'OS-EXT-SRV-ATTR:hypervisor_hostname': booted ? 'sim-compute' : null,
    'OS-EXT-SRV-ATTR:instance_name': `instance-${server.id.slice(0, 8)}`,
    'OS-EXT-STS:power_state': server.status === 'ACTIVE' ? 1 : 0,
    'OS-EXT-STS:task_state': server.taskState,
    'OS-EXT-STS:vm_state': vmState(server),
    'OS-SRV-USG:launched_at': server.launchedAt,
    'OS-SRV-USG:terminated_at': null,
    'os-extended-volumes:volumes_attached': [],
  };
  if (networked) view.security_groups = [{ name: 'default' }];
  if (fields.description) view.description = null;
  if (fields.tags) view.tags = [];
  if (server.fault) view.fault = server.fault;
  return view;
}

export function serverLinks(id: string, base: string) {
  return [link(`${base}/servers/${id}`, 'self'), link(`${base}/servers/${id}`, 'bookmark')];
}

export function flavorView(flavor: SimFlavor, base: string, detail: boolean) {
  const links = [link(`${base}/flavors/${flavor.id}`, 'self')];
  if (!detail) return { id: flavor.id, name: flavor.name, links };
  return {
    id: flavor.id,
    name: flavor.name,
    ram: flavor.ram,
    vcpus: flavor.vcpus,
    disk: flavor.disk,
    swap: '',
    rxtx_factor: 1.0,
    'OS-FLV-DISABLED:disabled': false,
    'OS-FLV-EXT-DATA:ephemeral': 0,
    'os-flavor-access:is_public': true,
    links,
  };
}

/**
 * Every simulated server with a network is reached on 127.0.0.1, reported on the first
 * network it has, each with its own SSH port in the metadata.
 */
function addresses(server: SimServer) {
  const [first = 'public'] = server.networkNames;
  return {
    [first]: [
      {
        addr: '127.0.0.1',
        version: 4,
        'OS-EXT-IPS:type': 'fixed',
        'OS-EXT-IPS-MAC:mac_addr': `fa:16:3e:${server.id.slice(0, 2)}:${server.id.slice(2, 4)}:` +
          server.id.slice(4, 6),
      },
    ],
  };
}

function vmState(server: SimServer): string {
  if (server.status === 'BUILD') return 'building';
  if (server.status === 'ERROR') return 'error';
  return 'active';
}

function link(href: string, rel: string) {
  return { href, rel };
}
