import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { jetstreamManager } from '@nats-io/jetstream';

import { actionSettings } from '../../cli/config-file.ts';
import { startNats, type NatsService } from '../../deploy/services/nats.ts';
import { ACTIONS } from '../../functions/index.ts';
import { closeResources } from '../../lib/actions/resources.ts';
import type { ActionSettings } from '../../lib/actions/settings.ts';
import { createOpenStackProvider } from '../../lib/cloud/openstack/provider.ts';
import { ConfigInvalidError, loadConfig, parseConfig } from '../../lib/config/index.ts';
import { formatPath } from '../../lib/config/problems.ts';
import { openDatabase, type Database } from '../../lib/db/connect.ts';
import { migrateLatest } from '../../lib/db/migrate.ts';
import { isWhiskpoolError } from '../../lib/errors.ts';
import { WORK_STREAM } from '../../lib/events/subjects.ts';
import { buildDemand, fetchStatus, parseStatus } from '../../lib/gearman/index.ts';
import { JenkinsClient, parseBuildEvent } from '../../lib/jenkins/index.ts';
import { createLogger } from '../../lib/log.ts';
import { connectNats } from '../../lib/nats/connect.ts';
import { ensureStreams } from '../../lib/nats/streams.ts';
import { insertRequestedNode } from '../../lib/node/repository.ts';
import { writeTestPool, type TestPool } from '../support/pool-config.ts';
import { EVENT_CASES } from './action-events.ts';
import { CLI_CASES } from './cli-args.ts';
import { CONFIG_CASES, wrongTypeCases } from './configs.ts';
import { STATUS_CASES, WIRE_CASES } from './gearman-replies.ts';
import { CORPUS_API_KEY, JENKINS_CASES, type JenkinsCall } from './jenkins-responses.ts';
import { CLOUD_CASES, goodToken, type CloudCall } from './openstack-responses.ts';
import { startHttpStandIn, type HttpStandIn } from './support/http-stand-in.ts';
import { runFramesThroughBridge, type BridgeRun } from './support/jenkins-bridge-run.ts';
import { snapshotRows } from './support/snapshot.ts';
import { FRAME_CASES } from './zmq-frames.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const silent = createLogger({ name: 'corpus', level: 'silent' });

/** Runs `fn` and returns what it threw; fails when it threw nothing. */
async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected an error, got none');
}

function assertMentions(text: string, mentions: readonly string[]) {
  for (const mention of mentions) assert.ok(text.includes(mention), `"${mention}" in: ${text}`);
}

let pool: TestPool;
let nats: NatsService;

before(async () => {
  const labels = [{ name: 'ci-jessie-wikimedia', minReady: 1 }];
  pool = await writeTestPool({ labels, maxServers: 2 });
  nats = await startNats(pool.ports.nats, join(pool.dir, 'nats'));
});

after(async () => {
  await closeResources();
  await nats?.stop();
  if (pool) rmSync(pool.dir, { recursive: true, force: true });
});

describe('ZMQ frames', () => {
  for (const c of FRAME_CASES) {
    it(`refuses ${c.name} as WP_EVENT_INVALID, naming the problem`, async () => {
      const error = await thrown(() => parseBuildEvent(c.frame));

      assert.ok(isWhiskpoolError(error, 'WP_EVENT_INVALID'), String(error));
      assert.ok(error.message.startsWith('ZMQ build event: '), error.message);
      assertMentions(error.message, c.mentions);
      assert.ok(error.message.length < 400, `a short message, not ${error.message.length} chars`);
    });
  }

  describe('through the jenkins bridge over a real ZMQ socket', () => {
    let run: BridgeRun;

    before(async () => {
      run = await runFramesThroughBridge(nats.url, FRAME_CASES.map((c) => c.frame));
    });

    it('counts every bad frame as malformed', () => {
      assert.equal(run.malformed, FRAME_CASES.length);
    });

    it('logs each bad frame once, with the reason the parser gave', () => {
      assert.equal(run.warnings.length, FRAME_CASES.length);
      FRAME_CASES.forEach((c, i) => assertMentions(run.warnings[i]!.err, c.mentions));
    });

    it('publishes nothing for them, and keeps publishing good frames after them', () => {
      assert.equal(run.stored.afterBad, run.stored.before);
      assert.equal(run.stored.afterGood, run.stored.before + 1);
    });
  });
});

describe('Gearman status replies', () => {
  for (const c of STATUS_CASES) {
    it(`reports ${c.name} as a ${c.problem.level} and takes no demand from it`, () => {
      const status = parseStatus(c.reply);

      const { level, mentions } = c.problem;
      const matching = status.problems.filter(
        (p) => p.level === level && mentions.every((m) => p.message.includes(m)),
      );
      assert.ok(matching.length > 0, JSON.stringify(status.problems).slice(0, 1000));
      for (const problem of status.problems) assert.ok(problem.message.length < 400);
      assert.deepEqual(Object.fromEntries(buildDemand([status]).demand), c.demand);
    });
  }

  describe('fetchStatus against a server answering garbage', () => {
    const servers: Server[] = [];
    const sockets: Socket[] = [];

    after(async () => {
      for (const socket of sockets) socket.destroy();
      for (const server of servers) await new Promise((resolve) => server.close(resolve));
    });

    async function garbageServer(chunks: (string | Buffer)[], then: 'close' | 'hang') {
      const server = createServer((socket) => {
        sockets.push(socket);
        socket.on('error', () => undefined);
        socket.once('data', async () => {
          for (const chunk of chunks) {
            if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
          }
          if (then === 'close') socket.end();
        });
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as { port: number }).port;
    }

    for (const c of WIRE_CASES) {
      const expect = 'rejects' in c.outcome ? 'is WP_GEARMAN_UNAVAILABLE' : 'is reported';
      it(`a server that ${c.name} ${expect}`, async () => {
        const port = await garbageServer(c.chunks, c.then);
        const { outcome } = c;
        // Short where the timeout is the answer; long where a busy machine must not fake one.
        const timesOut = 'rejects' in outcome && outcome.rejects.includes('within');
        const timeoutMs = timesOut ? 1500 : 20_000;

        if ('rejects' in outcome) {
          const error = await thrown(() => fetchStatus('127.0.0.1', port, timeoutMs));
          assert.ok(isWhiskpoolError(error, 'WP_GEARMAN_UNAVAILABLE'), String(error));
          assertMentions(error.message, [`127.0.0.1:${port}`, outcome.rejects]);
          return;
        }

        const status = await fetchStatus('127.0.0.1', port, timeoutMs);
        assert.ok(
          status.problems.some((p) => p.message.includes(outcome.problem)),
          JSON.stringify(status.problems),
        );
        assert.deepEqual(Object.fromEntries(buildDemand([status]).demand), outcome.demand);
      });
    }
  });
});

describe('configuration files', () => {
  for (const c of CONFIG_CASES) {
    it(`refuses ${c.name} with WP_CONFIG_INVALID, naming the problem`, async () => {
      const error = await thrown(() =>
        parseConfig(c.text, '/etc/nodepool/nodepool.yaml', {
          ...(c.secureConf === undefined
            ? {}
            : { secureConf: { text: c.secureConf, source: '/etc/nodepool/secure.conf' } }),
          ...(c.cloudsYaml === undefined
            ? {}
            : { cloudsYaml: { text: c.cloudsYaml, source: '/etc/openstack/clouds.yaml' } }),
        }),
      );

      assert.ok(error instanceof ConfigInvalidError, String(error));
      assert.equal(error.code, 'WP_CONFIG_INVALID');
      assert.ok(
        error.problems.some((problem) => c.mentions.every((m) => problem.includes(m))),
        error.problems.join('\n').slice(0, 2000),
      );
      for (const problem of error.problems) assert.ok(problem.length < 400, problem.slice(0, 400));
    });
  }

  it('refuses a value of the wrong type at every key of a valid file, naming the key', () => {
    const cases = wrongTypeCases();
    assert.ok(cases.length > 150, `${cases.length} wrong-type cases`);

    for (const c of cases) {
      let problems: string[] | undefined;
      try {
        parseConfig(c.text, 'nodepool.yaml');
      } catch (error) {
        assert.ok(error instanceof ConfigInvalidError, `${formatPath(c.path)}: ${String(error)}`);
        problems = error.problems;
      }
      const key = formatPath(c.path);
      assert.ok(problems, `${key} set to ${c.kind} was accepted`);
      assert.ok(
        problems.some((problem) => problem.startsWith(key)),
        `${key} set to ${c.kind}: ${problems.join('; ')}`,
      );
    }
  });
});

describe('command lines', () => {
  let db: Database;
  let garbage: string;
  let rowsBefore: Record<string, unknown[]>;
  const runs = new Map<string, { code: number | null; stdout: string; stderr: string }>();

  before(async () => {
    db = openDatabase({ url: pool.databaseUrl });
    await migrateLatest(db);
    await db.transaction((trx) =>
      insertRequestedNode(
        trx,
        { provider: 'test-cloud', label: 'ci-jessie-wikimedia', target: 'test-jenkins', az: null },
        Date.now(),
        (id) => ({ hostname: `ci-jessie-wikimedia-${id}`, nodeName: `ci-jessie-wikimedia-${id}` }),
      ),
    );
    rowsBefore = await snapshotRows(db);

    garbage = join(mkdtempSync(join(tmpdir(), 'whiskpool-corpus-')), 'garbage.yaml');
    writeFileSync(garbage, Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 251)));

    // Two at a time: each run spends its time starting up, and the machine has two cores.
    const queue = [...CLI_CASES];
    await Promise.all(
      [0, 1].map(async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const args = c.args.map((arg) => (arg === 'GARBAGE' ? garbage : arg));
          const full = c.ownConfig ? args : ['-c', pool.configPath, ...args];
          runs.set(c.name, await runWhiskpool(full));
        }
      }),
    );
  });

  after(async () => {
    await db?.destroy();
  });

  for (const c of CLI_CASES) {
    const usage = c.status === 2 ? ' with the usage' : '';
    it(`answers ${c.name} with status ${c.status}${usage} and writes nothing`, () => {
      const run = runs.get(c.name)!;

      assert.equal(run.code, c.status, run.stderr);
      assert.match(run.stderr, c.complaint);
      assert.equal(run.stdout, '');
      if (c.status === 2) assert.match(run.stderr, /Usage: whiskpool/);
    });
  }

  it('leaves every row of the database as it was', async () => {
    assert.equal(runs.size, CLI_CASES.length);
    assert.deepEqual(await snapshotRows(db), rowsBefore);
  });
});

describe('OpenStack answers', () => {
  let cloud: HttpStandIn;

  before(async () => {
    cloud = await startHttpStandIn();
  });

  after(async () => {
    await cloud?.close();
  });

  for (const c of CLOUD_CASES) {
    it(`fails ${c.call} on ${c.name} with ${c.code}, naming it`, async () => {
      cloud.answer((method, path) => {
        if (path.endsWith('/auth/tokens')) return (c.token ?? goodToken)(cloud.url);
        return c.reply?.(method, path) ?? { status: 404, body: '' };
      });
      const client = createOpenStackProvider(
        {
          name: 'corpus-cloud',
          authUrl: `${cloud.url}/identity/v3`,
          username: 'corpus-user',
          password: 'corpus-cloud-password',
          projectName: 'corpus',
          regionName: 'RegionOne',
          apiTimeoutMs: 10_000,
        },
        silent,
      );

      const error = await thrown(() => callCloud(client, c.call));

      assert.ok(isWhiskpoolError(error), String(error));
      assert.equal(error.code, c.code, error.message);
      assertMentions(error.message, [...c.mentions]);
      assert.ok(!error.message.includes('corpus-cloud-password'), error.message);
      assert.ok(error.message.length < 600, error.message.slice(0, 600));
    });
  }
});

function callCloud(client: ReturnType<typeof createOpenStackProvider>, call: CloudCall) {
  const spec = { name: 'corpus-node', imageId: 'i', flavorId: 'f', metadata: {} };
  const calls: Record<CloudCall, () => Promise<unknown>> = {
    listServers: () => client.listServers(),
    getServer: () => client.getServer('a1'),
    listFlavors: () => client.listFlavors(),
    findImage: () => client.findImage('ci-jessie-wikimedia'),
    listImages: () => client.listImages(),
    getLimits: () => client.getLimits(),
    createServer: () => client.createServer(spec),
  };
  return calls[call]();
}

describe('Jenkins answers', () => {
  let jenkins: HttpStandIn;

  before(async () => {
    jenkins = await startHttpStandIn();
  });

  after(async () => {
    await jenkins?.close();
  });

  for (const c of JENKINS_CASES) {
    it(`fails ${c.call} on ${c.name} with ${c.code}, naming it`, async () => {
      jenkins.answer(c.reply);
      const client = new JenkinsClient({
        target: {
          name: 'corpus-jenkins',
          url: `${jenkins.url}/`,
          user: 'u',
          apiKey: CORPUS_API_KEY,
        },
        log: silent,
        timeoutMs: 10_000,
      });

      const error = await thrown(() => callJenkins(client, c.call));

      assert.ok(isWhiskpoolError(error), String(error));
      assert.equal(error.code, c.code, error.message);
      assertMentions(error.message, c.mentions);
      assert.ok(!error.message.includes(CORPUS_API_KEY), error.message);
    });
  }
});

function callJenkins(client: JenkinsClient, call: JenkinsCall) {
  const spec = {
    name: 'corpus-node',
    description: 'corpus',
    labels: ['ci-jessie-wikimedia'],
    remoteFs: '/home/jenkins',
    host: '127.0.0.1',
    port: 22,
  };
  const calls: Record<JenkinsCall, () => Promise<unknown>> = {
    getInfo: () => client.getInfo(),
    listNodes: () => client.listNodes(),
    getNode: () => client.getNode('corpus-node'),
    createNode: () => client.createNode(spec),
    setOffline: () => client.setOffline('corpus-node', 'corpus'),
    deleteNode: () => client.deleteNode('corpus-node'),
  };
  return calls[call]();
}

describe('NATS messages with bad payloads, given to the actions', () => {
  let settings: ActionSettings;
  let db: Database;

  before(async () => {
    settings = actionSettings(await loadConfig(pool.configPath));
    db = openDatabase({ url: pool.databaseUrl });
    await migrateLatest(db);
    const nc = await connectNats(nats.url, 'corpus');
    await ensureStreams(nc);
    await nc.drain();
  });

  after(async () => {
    await db?.destroy();
  });

  async function storedMessages() {
    const nc = await connectNats(nats.url, 'corpus-count');
    try {
      return (await (await jetstreamManager(nc)).streams.info(WORK_STREAM)).state.messages;
    } finally {
      await nc.drain();
    }
  }

  function invoke(action: string, subject: string, event: unknown) {
    return ACTIONS[action]!({ whiskpool: settings, subject, event, deliveries: 1 });
  }

  for (const c of EVENT_CASES) {
    it(`${c.action} answers ${c.name} with WP_EVENT_INVALID and changes no row`, async () => {
      const rows = await snapshotRows(db);
      const stored = await storedMessages();

      const result = await invoke(c.action, c.subject, c.event);

      assert.equal(result.error?.code, 'WP_EVENT_INVALID', JSON.stringify(result));
      assert.equal(result.error.retryable, false);
      assertMentions(result.error.message, [`${c.action}: invalid event`, ...c.mentions]);
      assert.deepEqual(await snapshotRows(db), rows);
      assert.equal(await storedMessages(), stored);
    });
  }

  it('notices a change when a valid event makes one, so the checks above can fail', async () => {
    const rows = await snapshotRows(db);
    const demand = { labels: { 'ci-jessie-wikimedia': 1 }, servers: ['g'], at: Date.now() };

    const result = await invoke('reconcile', 'whiskpool.demand', demand);

    assert.equal(result.error, undefined, JSON.stringify(result));
    assert.notDeepEqual(await snapshotRows(db), rows);
  });
});

/** `bin/whiskpool` as an operator runs it, without any whiskpool variable from this shell. */
function runWhiskpool(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, WHISKPOOL_LOG_LEVEL: 'warn' };
  for (const name of Object.keys(env)) {
    if (name.startsWith('WHISKPOOL_') && name !== 'WHISKPOOL_LOG_LEVEL') delete env[name];
  }

  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(join(ROOT, 'bin/whiskpool'), args, { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
