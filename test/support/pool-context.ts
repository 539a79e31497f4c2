import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createOpenStackProvider } from '../../lib/cloud/openstack/provider.ts';
import type { CloudProvider } from '../../lib/cloud/provider.ts';
import { parseConfig } from '../../lib/config/index.ts';
import { openDatabase } from '../../lib/db/connect.ts';
import { migrateLatest } from '../../lib/db/migrate.ts';
import { JenkinsClient } from '../../lib/jenkins/index.ts';
import { createLogger } from '../../lib/log.ts';
import type { PoolContext } from '../../lib/pool/context.ts';
import { runCommands } from '../../lib/ssh/session.ts';
import { startJenkinsSim, type JenkinsSim } from '../../sim/jenkins/index.ts';
import { startOpenStackSim, type OpenStackSim } from '../../sim/openstack/index.ts';

export interface TestWorld {
  ctx: PoolContext;
  cloud: CloudProvider;
  jenkins: JenkinsClient;
  openstack: OpenStackSim;
  jenkinsSim: JenkinsSim;
  /** Moves the pool's clock, to reach timeouts without waiting for them. */
  advance(ms: number): void;
  close(): Promise<void>;
}

const log = createLogger({ name: 'test', level: 'silent' });

/**
 * The pool's steps around real SQLite and the in-process OpenStack and Jenkins stand-ins,
 * without NATS or the action host: for testing one step at a time.
 */
export async function startTestWorld(extraYaml = ''): Promise<TestWorld> {
  const openstack = await startOpenStackSim({
    username: 'nodepoolmanager',
    password: 'test-cloud-password',
    projectName: 'contintcloud',
    log,
  });
  const jenkinsSim = await startJenkinsSim({
    user: 'whiskpool',
    apiKey: 'test-api-key',
    catalog: [],
    buildDurationMs: 100,
    log,
  });
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-world-'));

  const yaml = `pool-id: whiskpool-test
zmq-publishers: []
targets:
  - name: test-jenkins
    jenkins: {url: '${jenkinsSim.url}', user: whiskpool, apikey: test-api-key}
    hostname: '{label.name}-{node_id}'
labels:
  - {name: ci-jessie-wikimedia, image: ci-jessie-wikimedia, min-ready: 0,
     providers: [{name: test-cloud}]}
providers:
  - name: test-cloud
    auth-url: ${openstack.url}
    username: nodepoolmanager
    password: test-cloud-password
    project-name: contintcloud
    max-servers: 10
    rate: 0
    images:
      - {name: ci-jessie-wikimedia, base-image: ci-jessie-wikimedia, min-ram: 0,
         private-key: ${join(dir, 'key')}}
${extraYaml}`;
  const { config } = parseConfig(yaml, 'test.yaml');

  const db = openDatabase({ url: 'sqlite::memory:' });
  await migrateLatest(db);
  const provider = config.providers[0]!;
  const cloud = createOpenStackProvider(
    {
      name: provider.name,
      authUrl: provider.auth.authUrl!,
      username: provider.auth.username!,
      password: provider.auth.password!,
      projectName: provider.auth.projectName,
    },
    log,
  );
  const jenkins = new JenkinsClient({
    target: {
      name: 'test-jenkins',
      url: jenkinsSim.url,
      user: 'whiskpool',
      apiKey: 'test-api-key',
    },
    log,
  });

  let offset = 0;
  const ctx: PoolContext = {
    db,
    config,
    log,
    now: () => Date.now() + offset,
    cloud: () => cloud,
    jenkins: () => jenkins,
    ssh: runCommands,
    readPrivateKey: (path) => readFile(path),
    targetOnline: async () => true,
  };

  return {
    ctx,
    cloud,
    jenkins,
    openstack,
    jenkinsSim,
    advance(ms) {
      offset += ms;
    },
    async close() {
      await db.destroy();
      await jenkinsSim.close();
      await openstack.close();
    },
  };
}
