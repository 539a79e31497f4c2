import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../support/ports.ts';
import type { ControlPlane } from './cloud.ts';

export interface RealCloudPool {
  dir: string;
  configPath: string;
  poolId: string;
  databaseUrl: string;
  label: string;
  ports: { nats: number; gearman: number; jenkins: number; zmq: number };
  jenkins: { url: string; user: string; apiKey: string };
}

export interface RealCloudPoolOptions {
  /** A label of Wikimedia's 2015 catalog, so that the Zuul-like submitter has jobs for it. */
  label: string;
  minReady: number;
  maxServers: number;
}

/**
 * Writes a nodepool.yaml whose one provider is the real control plane, with a pool id of its
 * own: servers of this pool and of no other carry it. Everything else (NATS, gearmand, the
 * Jenkins stand-in) gets a free port of 127.0.0.1.
 */
export async function writeRealCloudPool(
  cloud: ControlPlane,
  options: RealCloudPoolOptions,
): Promise<RealCloudPool> {
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-openstack-'));
  const poolId = `e2e-${randomUUID().slice(0, 8)}`;
  const ports = {
    nats: await freePort(),
    gearman: await freePort(),
    jenkins: await freePort(),
    zmq: await freePort(),
  };
  const databaseUrl = `sqlite:${join(dir, 'state.sqlite')}`;
  const jenkins = {
    url: `http://127.0.0.1:${ports.jenkins}/`,
    user: 'whiskpool',
    apiKey: `jenkins-${randomUUID()}`,
  };

  // The fake hypervisor's servers have no address: host-key-checking false trusts ACTIVE,
  // and no-network asks Nova for none, since there is no Neutron to allocate one.
  const yaml = `pool-id: ${poolId}
database: ${databaseUrl}
nats:
  url: nats://127.0.0.1:${ports.nats}
gearman-servers:
  - host: 127.0.0.1
    port: ${ports.gearman}
zmq-publishers:
  - tcp://127.0.0.1:${ports.zmq}
targets:
  - name: test-jenkins
    jenkins:
      url: ${jenkins.url}
      user: ${jenkins.user}
      apikey: ${jenkins.apiKey}
    hostname: '{label.name}-{node_id}'
labels:
  - name: ${options.label}
    image: ${cloud.image.name}
    min-ready: ${options.minReady}
    providers:
      - name: control-plane
providers:
  - name: control-plane
    auth-url: ${cloud.authUrl}
    region-name: ${cloud.regionName}
    username: ${cloud.poolProject.username}
    password: ${JSON.stringify(cloud.poolProject.password)}
    project-name: ${cloud.poolProject.projectName}
    max-servers: ${options.maxServers}
    boot-timeout: 120
    launch-timeout: 180
    rate: 0.001
    host-key-checking: false
    no-network: true
    images:
      - name: ${cloud.image.name}
        base-image: ${cloud.image.name}
        min-ram: 0
        name-filter: m1.tiny
        username: jenkins
        private-key: ${join(dir, 'id_ed25519')}
`;

  const configPath = join(dir, 'nodepool.yaml');
  writeFileSync(configPath, yaml, { mode: 0o600 });
  return { dir, configPath, poolId, databaseUrl, label: options.label, ports, jenkins };
}
