import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './ports.ts';

export interface TestPool {
  dir: string;
  /** Where a local stack started on this pool writes its processes' logs. */
  logsDir: string;
  configPath: string;
  ports: { nats: number; gearman: number; openstack: number; jenkins: number; zmq: number };
  databaseUrl: string;
  jenkinsUrl: string;
  openstackUrl: string;
  jenkinsAuth: string;
}

export interface TestPoolOptions {
  labels: { name: string; minReady: number }[];
  maxServers: number;
  /** Extra top-level YAML appended as it is. */
  extra?: string;
  /** State elsewhere than the default SQLite file, e.g. a MariaDB database. */
  databaseUrl?: string;
  /** The cloud user's password; tests of secrets pick distinctive ones. */
  cloudPassword?: string;
  /** The Jenkins user's API key. */
  jenkinsApiKey?: string;
}

/**
 * Writes a nodepool.yaml for one test: every service on a free port of 127.0.0.1, state in
 * a fresh directory, Wikimedia's labels and images as on the embedded default.
 */
export async function writeTestPool(options: TestPoolOptions): Promise<TestPool> {
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-'));
  const ports = {
    nats: await freePort(),
    gearman: await freePort(),
    openstack: await freePort(),
    jenkins: await freePort(),
    zmq: await freePort(),
  };
  const databaseUrl = options.databaseUrl ?? `sqlite:${join(dir, 'state.sqlite')}`;
  const cloudPassword = options.cloudPassword ?? 'test-cloud-password';
  const jenkinsApiKey = options.jenkinsApiKey ?? 'test-jenkins-api-token';

  const labels = options.labels
    .map(
      (label) => `  - name: ${label.name}
    image: ${label.name}
    ready-script: ready.sh
    min-ready: ${label.minReady}
    providers:
      - name: test-cloud`,
    )
    .join('\n');
  const images = options.labels
    .map(
      (label) => `      - name: ${label.name}
        base-image: ${label.name}
        min-ram: 0
        name-filter: m1.medium
        username: jenkins
        private-key: ${join(dir, 'id_ed25519')}`,
    )
    .join('\n');

  const yaml = `pool-id: whiskpool-test
script-dir: ${join(dir, 'scripts')}
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
      url: http://127.0.0.1:${ports.jenkins}/
      user: whiskpool
      apikey: ${jenkinsApiKey}
      credentials-id: test-ssh-key
    hostname: '{label.name}-{node_id}'
labels:
${labels}
providers:
  - name: test-cloud
    region-name: RegionOne
    auth-url: http://127.0.0.1:${ports.openstack}/identity/v3
    username: nodepoolmanager
    password: ${cloudPassword}
    project-name: contintcloud
    max-servers: ${options.maxServers}
    boot-timeout: 30
    launch-timeout: 60
    rate: 0.001
    images:
${images}
${options.extra ?? ''}`;

  const configPath = join(dir, 'nodepool.yaml');
  writeFileSync(configPath, yaml);
  return {
    dir,
    logsDir: join(dir, 'logs'),
    configPath,
    ports,
    databaseUrl,
    jenkinsUrl: `http://127.0.0.1:${ports.jenkins}`,
    openstackUrl: `http://127.0.0.1:${ports.openstack}`,
    jenkinsAuth: `Basic ${Buffer.from(`whiskpool:${jenkinsApiKey}`).toString('base64')}`,
  };
}
