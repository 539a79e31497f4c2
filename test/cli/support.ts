import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openPoolSession, type PoolSession } from '../../cli/pool-session.ts';
import { createOpenStackProvider } from '../../lib/cloud/openstack/provider.ts';
import type { CloudProvider } from '../../lib/cloud/provider.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { createLogger } from '../../lib/log.ts';
import type { NodeState } from '../../lib/node/states.ts';
import { startJenkinsSim, type JenkinsSim } from '../../sim/jenkins/index.ts';
import { startOpenStackSim, type OpenStackSim } from '../../sim/openstack/index.ts';
import { freePort } from '../support/ports.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const log = createLogger({ name: 'test', level: 'silent' });

/** A moment the golden outputs are drawn at; ages in them are measured back from it. */
export const NOW = Date.UTC(2015, 11, 8, 12, 0, 0);

export interface CliWorld {
  dir: string;
  configPath: string;
  session: PoolSession;
  /** A client of the stand-in cloud of its own, for making servers the pool does not know. */
  cloud: CloudProvider;
  openstack: OpenStackSim;
  jenkins: JenkinsSim;
  natsPort: number;
  insertNode(node: NodeFields): Promise<number>;
  close(): Promise<void>;
}

export interface NodeFields {
  label?: string;
  state: NodeState;
  /** Seconds in the current state at NOW. */
  age?: number;
  az?: string | null;
  externalId?: string | null;
  ip?: string | null;
  comment?: string | null;
}

/**
 * A configuration file naming a real SQLite file, the in-process OpenStack and Jenkins
 * stand-ins and a NATS port (nothing listens there unless the test starts nats-server), and a
 * session on it whose clock stands at NOW.
 */
export async function startCliWorld(extraYaml = ''): Promise<CliWorld> {
  const openstack = await startOpenStackSim({
    username: 'nodepoolmanager',
    password: 'test-cloud-password',
    projectName: 'contintcloud',
    log,
  });
  const jenkins = await startJenkinsSim({
    user: 'whiskpool',
    apiKey: 'test-jenkins-api-token',
    catalog: [],
    buildDurationMs: 100,
    log,
  });
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-cli-'));
  const natsPort = await freePort();

  const configPath = join(dir, 'nodepool.yaml');
  writeFileSync(configPath, worldYaml(dir, openstack.url, jenkins.url, natsPort) + extraYaml);
  const { config } = await loadConfig(configPath);
  const session = await openPoolSession(config, log);
  session.context.now = () => NOW;

  const cloud = createOpenStackProvider(
    {
      name: 'alien-maker',
      authUrl: openstack.url,
      username: 'nodepoolmanager',
      password: 'test-cloud-password',
      projectName: 'contintcloud',
    },
    log,
  );

  return {
    dir,
    configPath,
    session,
    cloud,
    openstack,
    jenkins,
    natsPort,
    async insertNode(fields) {
      const label = fields.label ?? 'ci-jessie-wikimedia';
      const [id] = await session.db('nodes').insert({
        provider: 'test-cloud',
        label,
        target: 'test-jenkins',
        az: fields.az ?? null,
        state: fields.state,
        state_time: NOW - (fields.age ?? 0) * 1000,
        created_at: NOW - (fields.age ?? 0) * 1000,
        version: 0,
        launch_attempts: 1,
        external_id: fields.externalId ?? null,
        ip: fields.ip ?? null,
        comment: fields.comment ?? null,
      });
      const nodeId = Number(id);
      const name = `${label}-${nodeId}`;
      await session.db('nodes').where({ id: nodeId }).update({ hostname: name, node_name: name });
      return nodeId;
    },
    async close() {
      await session.close();
      await jenkins.close();
      await openstack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function worldYaml(dir: string, cloudUrl: string, jenkinsUrl: string, natsPort: number) {
  return `pool-id: whiskpool-test
database: sqlite:${join(dir, 'state.sqlite')}
nats:
  url: nats://127.0.0.1:${natsPort}
zmq-publishers: []
targets:
  - name: test-jenkins
    jenkins: {url: '${jenkinsUrl}', user: whiskpool, apikey: test-jenkins-api-token}
    hostname: '{label.name}-{node_id}'
labels:
  - {name: ci-jessie-wikimedia, image: ci-jessie-wikimedia, min-ready: 2,
     providers: [{name: test-cloud}]}
  - {name: ci-trusty-wikimedia, image: ci-trusty-wikimedia, min-ready: 1,
     providers: [{name: test-cloud}]}
providers:
  - name: test-cloud
    auth-url: ${cloudUrl}
    username: nodepoolmanager
    password: test-cloud-password
    project-name: contintcloud
    max-servers: 6
    rate: 0
    images:
      - {name: ci-jessie-wikimedia, base-image: ci-jessie-wikimedia, min-ram: 0,
         private-key: ${join(dir, 'key')}}
      - {name: ci-trusty-wikimedia, base-image: ci-trusty-wikimedia, min-ram: 0,
         private-key: ${join(dir, 'key')}}
`;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/whiskpool`'s entry point as an operator would, in a process of its own. */
export function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, WHISKPOOL_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The expected output of a command, kept in test/cli/golden/ as the operator would see it. */
export function golden(name: string): string {
  return readFileSync(join(ROOT, 'test/cli/golden', name), 'utf8').replace(/\n$/, '');
}
