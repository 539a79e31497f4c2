import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { ErrorCode, isWhiskpoolError, type WhiskpoolError } from '../../../lib/errors.ts';
import { JenkinsClient, type NodeSpec } from '../../../lib/jenkins/index.ts';
import { startJenkinsSim, type JenkinsSim } from '../../../sim/jenkins/index.ts';
import { freePort } from '../../support/ports.ts';
import {
  eventually,
  quietLog,
  startSshEndpoint,
  type SshEndpoint,
} from '../../sim/jenkins/support.ts';

const USER = 'whiskpool';
const API_KEY = 'f00dfeedcafe0123456789abcdef4242';
const log = quietLog();

describe('JenkinsClient against the Jenkins stand-in', () => {
  let jenkins: JenkinsSim;
  let machine: SshEndpoint;
  let calls: Array<{ operation: string; ok: boolean }>;
  let client: JenkinsClient;

  before(async () => {
    machine = await startSshEndpoint();
    jenkins = await startJenkinsSim({
      user: USER,
      apiKey: API_KEY,
      catalog: [{ job: 'tox-jessie', label: 'ci-jessie' }],
      buildDurationMs: 50,
      launch: { attempts: 3, retryDelayMs: 50, attemptTimeoutMs: 500 },
      log,
    });
    calls = [];
    client = new JenkinsClient({
      target: { name: 'sim', url: jenkins.url, user: USER, apiKey: API_KEY },
      log,
      timeoutMs: 2000,
      onCall: (operation, ms, ok) => {
        assert.ok(ms >= 0);
        calls.push({ operation, ok });
      },
    });
  });

  after(async () => {
    await jenkins.close();
    await machine.close();
  });

  function spec(name: string, overrides: Partial<NodeSpec> = {}): NodeSpec {
    return {
      name,
      description: 'Dynamic single use ci-jessie node',
      labels: ['ci-jessie'],
      remoteFs: '/home/jenkins',
      host: machine.host,
      port: machine.port,
      credentialsId: 'nodepool-ssh',
      ...overrides,
    };
  }

  it('creates an agent that comes online once its machine answers SSH', async () => {
    assert.equal(await client.createNode(spec('ci-jessie-wikimedia-1')), 'created');

    const node = await eventually('the agent online', async () => {
      const found = await client.getNode('ci-jessie-wikimedia-1');
      return found && !found.offline ? found : undefined;
    });
    assert.deepEqual(node, {
      name: 'ci-jessie-wikimedia-1',
      offline: false,
      temporarilyOffline: false,
      idle: true,
      numExecutors: 1,
      offlineCauseReason: '',
      isMaster: false,
    });

    const config = jenkins.computer('ci-jessie-wikimedia-1')?.config;
    assert.equal(config?.mode, 'EXCLUSIVE');
    assert.equal(config?.numExecutors, 1);
    assert.deepEqual(config?.labels, ['ci-jessie']);
    assert.equal(config?.credentialsId, 'nodepool-ssh');
    assert.equal(config?.remoteFs, '/home/jenkins');
  });

  it('treats an existing node with the same launcher endpoint as created', async () => {
    await client.createNode(spec('ci-jessie-wikimedia-2'));
    assert.equal(await client.createNode(spec('ci-jessie-wikimedia-2')), 'exists');
  });

  it('refuses to take over a node of that name that launches another machine', async () => {
    await client.createNode(spec('ci-jessie-wikimedia-3'));
    const other = spec('ci-jessie-wikimedia-3', { port: machine.port + 1 });

    await assert.rejects(client.createNode(other), (error: WhiskpoolError) => {
      assert.equal(error.code, ErrorCode.JenkinsRequestRefused);
      assert.equal(error.retryable, false);
      assert.match(error.message, /already there with launcher 127\.0\.0\.1:\d+, not/);
      return true;
    });
    assert.equal(jenkins.computer('ci-jessie-wikimedia-3')?.config.port, machine.port);
  });

  it('returns null for a node Jenkins does not have', async () => {
    assert.equal(await client.getNode('no-such-node'), null);
  });

  it('takes a node offline once and never toggles it back online', async () => {
    await client.createNode(spec('ci-jessie-wikimedia-4'));

    assert.equal(await client.setOffline('ci-jessie-wikimedia-4', 'build started'), 'offlined');
    assert.equal(await client.setOffline('ci-jessie-wikimedia-4', 'again'), 'already-offline');

    const node = await client.getNode('ci-jessie-wikimedia-4');
    assert.equal(node?.temporarilyOffline, true);
    assert.equal(node?.offline, true);
    assert.equal(node?.offlineCauseReason, 'build started');
  });

  it('reports a missing node when asked to take it offline', async () => {
    assert.equal(await client.setOffline('no-such-node', 'x'), 'missing');
  });

  it('deletes a node, and a second delete finds it absent', async () => {
    await client.createNode(spec('ci-jessie-wikimedia-5'));

    assert.equal(await client.deleteNode('ci-jessie-wikimedia-5'), 'deleted');
    assert.equal(await client.getNode('ci-jessie-wikimedia-5'), null);
    assert.equal(await client.deleteNode('ci-jessie-wikimedia-5'), 'absent');
  });

  it('encodes node names with spaces and non-ASCII letters in URLs', async () => {
    const name = 'ci jessie nœud 6';
    assert.equal(await client.createNode(spec(name)), 'created');
    assert.equal((await client.getNode(name))?.name, name);
    assert.equal(await client.setOffline(name, 'x'), 'offlined');
    assert.equal(await client.deleteNode(name), 'deleted');
  });

  it('lists every computer with the master marked', async () => {
    await client.createNode(spec('ci-jessie-wikimedia-7'));
    const nodes = await client.listNodes();

    assert.deepEqual(
      nodes.filter((node) => node.isMaster).map((node) => node.name),
      ['master'],
    );
    assert.ok(nodes.some((node) => node.name === 'ci-jessie-wikimedia-7' && !node.isMaster));
  });

  it('reads whether Jenkins is quieting down', async () => {
    assert.deepEqual(await client.getInfo(), { quietingDown: false });
  });

  it('gets a fresh crumb when Jenkins no longer accepts the cached one', async () => {
    await client.createNode(spec('ci-jessie-wikimedia-8'));
    jenkins.state.rotateCrumb();

    assert.equal(await client.deleteNode('ci-jessie-wikimedia-8'), 'deleted');
  });

  it('leaves an agent offline with the launch failure when its machine never answers', async () => {
    const closedPort = await freePort();
    await client.createNode(spec('ci-jessie-wikimedia-9', { port: closedPort }));

    const node = await eventually('the launch to fail', async () => {
      const found = await client.getNode('ci-jessie-wikimedia-9');
      return found?.offlineCauseReason ? found : undefined;
    });
    assert.equal(node.offline, true);
    assert.equal(node.temporarilyOffline, false);
    assert.match(node.offlineCauseReason, /failed to launch/);
  });

  it('reports each operation under its Nodepool task name', async () => {
    calls.length = 0;
    await client.getNode('no-such-node');
    await client.listNodes();
    await client.deleteNode('no-such-node');
    await client.getInfo();
    await client.setOffline('no-such-node', 'x');

    assert.deepEqual(calls, [
      { operation: 'NodeExistsTask', ok: true },
      { operation: 'ListNodesTask', ok: true },
      { operation: 'DeleteNodeTask', ok: true },
      { operation: 'GetInfoTask', ok: true },
      { operation: 'SetNodeOfflineTask', ok: true },
    ]);
  });

  describe('errors', () => {
    after(() => jenkins.setFaults({ rest: { failNext: 0, errorRate: 0, delayMs: 0 } }));

    function expectError(code: string, retryable: boolean, message?: RegExp) {
      return (error: unknown) => {
        assert.ok(isWhiskpoolError(error), String(error));
        assert.equal(error.code, code);
        assert.equal(error.retryable, retryable);
        if (message) assert.match(error.message, message);
        assert.ok(!error.message.includes(API_KEY), 'the API key is in the message');
        const basic = Buffer.from(`${USER}:${API_KEY}`).toString('base64');
        assert.ok(!error.message.includes(basic), 'the credentials are in the message');
        return true;
      };
    }

    it('reports a 5xx answer as Jenkins unavailable, retryable', async () => {
      jenkins.setFaults({ rest: { failNext: 1, errorStatus: 503 } });
      calls.length = 0;

      await assert.rejects(
        client.getNode('anything'),
        expectError(ErrorCode.JenkinsUnavailable, true, /NodeExistsTask: GET .* answered 503/),
      );
      assert.deepEqual(calls, [{ operation: 'NodeExistsTask', ok: false }]);
    });

    it('reports a POST failing with 500 as Jenkins unavailable', async () => {
      await client.getInfo();
      jenkins.setFaults({ rest: { failNext: 1, errorStatus: 500, pathContains: 'doCreateItem' } });

      await assert.rejects(
        client.createNode(spec('ci-jessie-wikimedia-10')),
        expectError(ErrorCode.JenkinsUnavailable, true, /CreateNodeTask: POST computer\/doCreate/),
      );
      jenkins.setFaults({ rest: { pathContains: '' } });
    });

    it('reports a slow Jenkins as unavailable once the timeout passes', async () => {
      const impatient = new JenkinsClient({
        target: { name: 'sim', url: jenkins.url, user: USER, apiKey: API_KEY },
        log,
        timeoutMs: 100,
      });
      jenkins.setFaults({ rest: { delayMs: 400 } });

      await assert.rejects(
        impatient.getInfo(),
        expectError(ErrorCode.JenkinsUnavailable, true, /no answer within 100 ms/),
      );
      jenkins.setFaults({ rest: { delayMs: 0 } });
    });

    it('reports a Jenkins nobody listens on as unavailable', async () => {
      const url = `http://127.0.0.1:${await freePort()}/`;
      const nowhere = new JenkinsClient({
        target: { name: 'gone', url, user: USER, apiKey: API_KEY },
        log,
      });

      await assert.rejects(
        nowhere.listNodes(),
        expectError(ErrorCode.JenkinsUnavailable, true, /connection failed \(ECONNREFUSED\)/),
      );
    });

    it('reports a wrong API key as refused, without the key in the message', async () => {
      const wrongKey = `${API_KEY}-wrong`;
      const intruder = new JenkinsClient({
        target: { name: 'sim', url: jenkins.url, user: USER, apiKey: wrongKey },
        log,
      });

      await assert.rejects(intruder.getInfo(), (error: WhiskpoolError) => {
        expectError(ErrorCode.JenkinsRequestRefused, false, /answered 401/)(error);
        assert.ok(!error.message.includes(wrongKey));
        return true;
      });
    });

    it('never puts credentials written into the target URL into messages', async () => {
      const url = new URL(jenkins.url);
      url.username = USER;
      url.password = API_KEY;
      const careless = new JenkinsClient({
        target: { name: 'sim', url: url.toString(), user: USER, apiKey: API_KEY },
        log,
      });
      jenkins.setFaults({ rest: { failNext: 1 } });

      await assert.rejects(careless.listNodes(), expectError(ErrorCode.JenkinsUnavailable, true));
    });
  });
});

describe('JenkinsClient.setOffline when something else takes the node offline meanwhile', () => {
  it('toggles a second time so that the node ends offline', async () => {
    // A Jenkins whose node goes offline by itself between the client's read and its toggle,
    // so that the toggle brings it back online: the race the client must repair.
    let temporarilyOffline = false;
    let toggles = 0;
    let reads = 0;
    const server = createServer((request, response) => {
      if (request.url?.startsWith('/crumbIssuer')) {
        response.end(JSON.stringify({ crumb: 'c', crumbRequestField: 'Jenkins-Crumb' }));
        return;
      }
      if (request.url?.includes('/toggleOffline')) {
        toggles += 1;
        temporarilyOffline = !temporarilyOffline;
        response.writeHead(302, { location: '.' }).end();
        return;
      }
      reads += 1;
      const shown = temporarilyOffline;
      if (reads === 1) temporarilyOffline = true;
      response.end(
        JSON.stringify({
          displayName: 'n1',
          offline: shown,
          temporarilyOffline: shown,
          idle: true,
          numExecutors: 1,
          offlineCauseReason: '',
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const { port } = server.address() as AddressInfo;
    const client = new JenkinsClient({
      target: { name: 'racy', url: `http://127.0.0.1:${port}/`, user: USER, apiKey: API_KEY },
      log,
    });

    assert.equal(await client.setOffline('n1', 'build started'), 'offlined');
    assert.equal(toggles, 2);
    assert.equal(temporarilyOffline, true);
  });
});
