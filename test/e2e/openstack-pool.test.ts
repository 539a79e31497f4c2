import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startLocalStack, type LocalStack } from '../../deploy/local-stack.ts';
import { startNodeProcess, type NodeProcess } from '../../deploy/services/node-process.ts';
import {
  createOpenStackProvider,
  MetadataKey,
  ownedBy,
  type CloudProvider,
} from '../../lib/cloud/index.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { openDatabase, type Database } from '../../lib/db/connect.ts';
import { createLogger } from '../../lib/log.ts';
import { listNodes, listTransitions } from '../../lib/node/repository.ts';
import { isLegalTransition, LIVE_STATES } from '../../lib/node/states.ts';
import { eventually, patiently } from '../lib/cloud/contract/fixture.ts';
import { controlPlane } from '../openstack/cloud.ts';
import { writeRealCloudPool, type RealCloudPool } from '../openstack/pool-config.ts';

const cloud = controlPlane();
const LABEL = 'ci-jessie-wikimedia';
const BUILDS = 6;
const MIN_READY = 2;
const MAX_SERVERS = 4;
/** Nova's services share two cores with the pool and the tests. */
const PATIENCE_MS = 300_000;

interface SimBuild {
  nodeName: string;
  result: string | null;
}

describe('the pool on a real OpenStack control plane', {
  skip: 'skip' in cloud ? cloud.skip : undefined,
  timeout: 900_000,
}, () => {
  let pool: RealCloudPool;
  let stack: LocalStack | undefined;
  let jenkins: NodeProcess | undefined;
  let db: Database;
  let nova: CloudProvider;
  let sampler: NodeJS.Timeout | undefined;
  let peakServers = 0;
  const completed: Record<string, unknown>[] = [];
  const log = createLogger({ name: 'test.openstack-pool', level: 'warn' });

  before(async () => {
    if ('skip' in cloud) return;
    pool = await writeRealCloudPool(cloud, { label: LABEL, minReady: MIN_READY,
      maxServers: MAX_SERVERS });
    const { username, password, projectName } = cloud.poolProject;
    nova = createOpenStackProvider({ name: 'control-plane', authUrl: cloud.authUrl, username,
      password, projectName, regionName: cloud.regionName }, log);

    const { config } = await loadConfig(pool.configPath);
    // The cloud is the real one: only gearmand, NATS, the actions and the bridges start here,
    // and Jenkins is the stand-in, told that its machines have no address to connect to.
    stack = await startLocalStack({
      configPath: pool.configPath,
      config,
      dataDir: pool.dir,
      log,
      standIns: false,
      submitter: { rate: 1, builds: BUILDS },
      gearmanPollMs: 250,
    });
    stack.submitter?.onLine((line) => {
      if ('build' in line) completed.push(line.build as Record<string, unknown>);
    });
    jenkins = await startNodeProcess({
      name: 'jenkins',
      script: 'sim/jenkins/main.ts',
      args: ['--port', String(pool.ports.jenkins), '--zmq-port', String(pool.ports.zmq),
        '--user', pool.jenkins.user, '--gearman', `127.0.0.1:${pool.ports.gearman}`,
        '--labels', LABEL, '--build-duration-ms', '200', '--master-name', 'test-jenkins',
        '--launch-without-connecting'],
      env: { ...process.env, JENKINS_SIM_API_KEY: pool.jenkins.apiKey },
      logFile: join(pool.dir, 'logs', 'jenkins.log'),
    });
    db = openDatabase({ url: pool.databaseUrl });

    sampler = setInterval(() => {
      nova.listServers().then((servers) => {
        const ours = servers.filter((server) => ownedBy(server, pool.poolId)).length;
        peakServers = Math.max(peakServers, ours);
      }, () => undefined);
    }, 2000);
  });

  after(async () => {
    clearInterval(sampler);
    await db?.destroy();
    await jenkins?.stop();
    await stack?.stop();
    if (pool) await deletePoolServers(nova, pool.poolId);
  });

  it('runs every submitted build', async () => {
    await eventually('every build to complete', PATIENCE_MS, async () =>
      completed.length >= BUILDS ? true : undefined);
    for (const build of completed) {
      assert.equal(build.outcome, 'complete', `build ${String(build.uuid)}`);
      assert.ok(build.nodeName, 'each build names the node it ran on');
    }
  });

  it('gives every build a server of its own on Nova', async () => {
    const builds = await jenkinsBuilds(pool);
    assert.equal(builds.length, BUILDS);
    const nodes = await listNodes(db);
    const servers = builds.map((build) => {
      const node = nodes.find((candidate) => candidate.nodeName === build.nodeName);
      assert.ok(node?.externalId, `build on ${build.nodeName} has a node with a server`);
      return node.externalId;
    });
    assert.equal(new Set(builds.map((build) => build.nodeName)).size, BUILDS);
    assert.equal(new Set(servers).size, BUILDS);
  });

  it('deletes each machine after its one build, from Jenkins and from Nova', async () => {
    const builds = await jenkinsBuilds(pool);
    const nodes = await listNodes(db);
    for (const build of builds) {
      const node = nodes.find((candidate) => candidate.nodeName === build.nodeName);
      const server = node?.externalId ?? '';
      await eventually(`server ${server} of ${build.nodeName} gone`, PATIENCE_MS, patiently(
        async () => ((await nova.getServer(server)) === null ? true : undefined)));
    }
    const agents = await jenkinsAgents(pool);
    for (const build of builds) assert.ok(!agents.includes(build.nodeName), build.nodeName);
  });

  it('keeps min-ready ready machines, each an ACTIVE server tagged with its node', async () => {
    const ready = await eventually('the pool to settle', PATIENCE_MS, async () => {
      const live = await listNodes(db, { states: LIVE_STATES });
      const settled = live.length === MIN_READY && live.every((n) => n.state === 'ready');
      return settled ? live : undefined;
    });
    for (const node of ready) {
      const server = await nova.getServer(node.externalId ?? '');
      assert.equal(server?.status, 'ACTIVE', `node ${node.id}`);
      assert.equal(server?.metadata[MetadataKey.Pool], pool.poolId);
      assert.equal(server?.metadata[MetadataKey.NodeId], String(node.id));
    }
  });

  it('never holds more servers on Nova than max-servers', () => {
    assert.ok(peakServers > 0, 'the sampler saw the pool at work');
    assert.ok(peakServers <= MAX_SERVERS, `peak ${peakServers} > ${MAX_SERVERS}`);
  });

  it('records only legal transitions, each from the state the node was in', async () => {
    const last = new Map<number, string | null>();
    for (const t of await listTransitions(db)) {
      assert.ok(isLegalTransition(t.from, t.to), `node ${t.nodeId}: ${t.from} -> ${t.to}`);
      assert.equal(t.from, last.get(t.nodeId) ?? null, `node ${t.nodeId} skipped a state`);
      last.set(t.nodeId, t.to);
    }
  });

  it('leaves no server in the project once stopped and its ready machines removed', async () => {
    clearInterval(sampler);
    await jenkins?.stop();
    await stack?.stop();
    await deletePoolServers(nova, pool.poolId);

    // What `openstack server list` shows the project's user.
    const left = await nova.listServers();
    assert.deepEqual(left.map((server) => `${server.name} ${server.status}`), []);
  });
});

/**
 * Deletes the servers the pool still keeps (its min-ready machines, and any a create cut
 * short by the stop left behind) and waits until Nova no longer lists them.
 */
async function deletePoolServers(nova: CloudProvider, poolId: string): Promise<void> {
  await eventually(`the servers of ${poolId} gone`, PATIENCE_MS, patiently(async () => {
    const ours = (await nova.listServers()).filter((server) => ownedBy(server, poolId));
    for (const server of ours) {
      if (server.taskState !== 'deleting') await nova.deleteServer(server.id);
    }
    return ours.length === 0 ? true : undefined;
  }));
}

async function jenkinsBuilds(pool: RealCloudPool): Promise<SimBuild[]> {
  const response = await fetch(`${pool.jenkins.url}_sim/builds`);
  return ((await response.json()) as { builds: SimBuild[] }).builds;
}

async function jenkinsAgents(pool: RealCloudPool): Promise<string[]> {
  const auth = Buffer.from(`${pool.jenkins.user}:${pool.jenkins.apiKey}`).toString('base64');
  const response = await fetch(`${pool.jenkins.url}computer/api/json`, {
    headers: { authorization: `Basic ${auth}` },
  });
  const body = (await response.json()) as { computer: { displayName: string }[] };
  return body.computer.map((computer) => computer.displayName);
}
