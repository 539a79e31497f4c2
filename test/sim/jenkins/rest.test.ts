import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startJenkinsSim, type JenkinsSim } from '../../../sim/jenkins/index.ts';
import { quietLog, startSshEndpoint, type SshEndpoint } from './support.ts';

const USER = 'whiskpool';
const API_KEY = 'rest-test-key-9876';
const AUTH = `Basic ${Buffer.from(`${USER}:${API_KEY}`).toString('base64')}`;

describe('Jenkins stand-in REST API', () => {
  let jenkins: JenkinsSim;
  let machine: SshEndpoint;
  let crumb: string;

  before(async () => {
    machine = await startSshEndpoint();
    jenkins = await startJenkinsSim({
      user: USER,
      apiKey: API_KEY,
      catalog: [{ job: 'tox-jessie', label: 'ci-jessie' }],
      buildDurationMs: 10,
      launch: { attempts: 1, retryDelayMs: 10, attemptTimeoutMs: 500 },
      log: quietLog(),
    });
    const answer = await get('crumbIssuer/api/json');
    crumb = ((await answer.json()) as { crumb: string }).crumb;
  });

  after(async () => {
    await jenkins.close();
    await machine.close();
  });

  function get(path: string, headers: Record<string, string> = { authorization: AUTH }) {
    return fetch(new URL(path, jenkins.url), { headers, redirect: 'manual' });
  }

  function post(path: string, form: Record<string, string>, headers: Record<string, string>) {
    return fetch(new URL(path, jenkins.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
  }

  function createForm(name: string, launcher: Record<string, unknown> = {}) {
    return {
      name,
      type: 'hudson.slaves.DumbSlave$DescriptorImpl',
      json: JSON.stringify({
        name,
        nodeDescription: 'Dynamic single use ci-jessie node',
        numExecutors: 1,
        remoteFS: '/home/jenkins',
        labelString: 'ci-jessie',
        mode: 'EXCLUSIVE',
        retentionStrategy: { 'stapler-class': 'hudson.slaves.RetentionStrategy$Always' },
        nodeProperties: { 'stapler-class-bag': 'true' },
        launcher: {
          'stapler-class': 'hudson.plugins.sshslaves.SSHLauncher',
          host: machine.host,
          port: machine.port,
          ...launcher,
        },
      }),
    };
  }

  const authCases: Array<{ name: string; headers: Record<string, string>; status: number }> = [
    { name: 'no credentials', headers: {}, status: 403 },
    {
      name: 'a wrong API token',
      headers: { authorization: `Basic ${Buffer.from(`${USER}:nope`).toString('base64')}` },
      status: 401,
    },
    {
      name: 'a wrong user',
      headers: { authorization: `Basic ${Buffer.from(`admin:${API_KEY}`).toString('base64')}` },
      status: 401,
    },
    { name: 'a bearer token', headers: { authorization: `Bearer ${API_KEY}` }, status: 403 },
  ];

  for (const testCase of authCases) {
    it(`refuses a request with ${testCase.name}`, async () => {
      const answer = await get('computer/api/json', testCase.headers);
      assert.equal(answer.status, testCase.status);
      assert.ok(!(await answer.text()).includes(API_KEY));
    });
  }

  it('refuses a POST without a valid crumb, saying so', async () => {
    const attempts: Array<Record<string, string>> = [
      { authorization: AUTH },
      { authorization: AUTH, 'Jenkins-Crumb': 'x' },
    ];
    for (const headers of attempts) {
      const answer = await post('computer/doCreateItem', createForm('no-crumb'), headers);
      assert.equal(answer.status, 403);
      assert.match(await answer.text(), /No valid crumb was included in the request/);
    }
    assert.equal(jenkins.computer('no-crumb'), undefined);
  });

  it('accepts the crumb as a form field as well as a header', async () => {
    const form = { ...createForm('crumb-in-form'), 'Jenkins-Crumb': crumb };
    const answer = await post('computer/doCreateItem', form, { authorization: AUTH });
    assert.equal(answer.status, 302);
    assert.ok(jenkins.computer('crumb-in-form'));
  });

  it('answers computer JSON with the fields Jenkins has', async () => {
    const headers = { authorization: AUTH, 'Jenkins-Crumb': crumb };
    await post('computer/doCreateItem', createForm('shape-1'), headers);
    await post('computer/shape-1/toggleOffline', { offlineMessage: 'held' }, headers);

    const answer = await get('computer/api/json');
    assert.match(answer.headers.get('content-type') ?? '', /application\/json/);
    const body = (await answer.json()) as { computer: Array<Record<string, unknown>> };
    const node = body.computer.find((computer) => computer.displayName === 'shape-1');

    assert.equal(node?._class, 'hudson.slaves.SlaveComputer');
    assert.equal(node?.numExecutors, 1);
    assert.equal(node?.idle, true);
    assert.equal(node?.offline, true);
    assert.equal(node?.temporarilyOffline, true);
    assert.equal(node?.offlineCauseReason, 'held');
    assert.deepEqual(node?.executors, [
      { currentExecutable: null, idle: true, number: 0, progress: -1 },
    ]);
    assert.equal(body.computer[0]?._class, 'hudson.model.Hudson$MasterComputer');
  });

  it('keeps the SSH endpoint in the node config.xml', async () => {
    const headers = { authorization: AUTH, 'Jenkins-Crumb': crumb };
    await post('computer/doCreateItem', createForm('xml-1', { credentialsId: 'a&b' }), headers);

    const text = await (await get('computer/xml-1/config.xml')).text();
    assert.match(text, new RegExp(`<host>127\\.0\\.0\\.1</host>\\s*<port>${machine.port}</port>`));
    assert.match(text, /<credentialsId>a&amp;b<\/credentialsId>/);
    assert.match(text, /<mode>EXCLUSIVE<\/mode>/);
  });

  type Form = Record<string, string>;
  const refusedForms: Array<{ name: string; form: () => Form; message: RegExp }> = [
    {
      name: 'a missing name',
      form: () => ({ ...createForm('x'), name: '' }),
      message: /'name' is required/,
    },
    {
      name: 'an unsafe name',
      form: () => createForm('bad/name'),
      message: /‘\/’ is an unsafe character/,
    },
    {
      name: 'another node type',
      form: () => ({ ...createForm('x1'), type: 'hudson.slaves.Cloud' }),
      message: /No node type/,
    },
    {
      name: 'no json field',
      form: () => ({ name: 'x2', type: 'hudson.slaves.DumbSlave$DescriptorImpl' }),
      message: /expects a form submission/,
    },
    {
      name: 'a launcher other than SSH',
      form: () => createForm('x3', { 'stapler-class': 'hudson.slaves.JNLPLauncher' }),
      message: /not the SSH launcher/,
    },
    { name: 'a hostless launcher', form: () => createForm('x4', { host: '' }), message: /Host/ },
    { name: 'a bad port', form: () => createForm('x5', { port: 70000 }), message: /port/ },
  ];

  for (const testCase of refusedForms) {
    it(`answers 400 to doCreateItem with ${testCase.name}`, async () => {
      const headers = { authorization: AUTH, 'Jenkins-Crumb': crumb };
      const answer = await post('computer/doCreateItem', testCase.form(), headers);
      assert.equal(answer.status, 400);
      assert.match(await answer.text(), testCase.message);
    });
  }

  it('answers 400 with "already exists" to a second doCreateItem of a name', async () => {
    const headers = { authorization: AUTH, 'Jenkins-Crumb': crumb };
    assert.equal((await post('computer/doCreateItem', createForm('dup'), headers)).status, 302);

    const again = await post('computer/doCreateItem', createForm('dup'), headers);
    assert.equal(again.status, 400);
    assert.match(await again.text(), /Agent called ‘dup’ already exists/);
  });

  it('answers 404 for unknown computers, jobs and paths', async () => {
    const headers = { authorization: AUTH, 'Jenkins-Crumb': crumb };
    for (const path of ['computer/nope/api/json', 'job/nope/api/json', 'nope']) {
      assert.equal((await get(path)).status, 404, path);
    }
    assert.equal((await post('computer/nope/doDelete', {}, headers)).status, 404);
    assert.equal((await post('computer/nope/toggleOffline', {}, headers)).status, 404);
  });

  it('describes a catalog job before it ever ran', async () => {
    const body = (await (await get('job/tox-jessie/api/json')).json()) as Record<string, unknown>;
    assert.equal(body.name, 'tox-jessie');
    assert.equal(body.nextBuildNumber, 1);
    assert.equal(body.lastBuild, null);
  });

  it('quiets down and back, as api/json reports', async () => {
    const headers = { authorization: AUTH, 'Jenkins-Crumb': crumb };
    const quieting = async () =>
      ((await (await get('api/json')).json()) as { quietingDown: boolean }).quietingDown;

    assert.equal((await post('quietDown', {}, headers)).status, 302);
    assert.equal(await quieting(), true);
    await post('cancelQuietDown', {}, headers);
    assert.equal(await quieting(), false);
  });

  it('switches REST faults at run time through /_sim/faults', async () => {
    const set = (body: unknown) =>
      fetch(new URL('_sim/faults', jenkins.url), { method: 'POST', body: JSON.stringify(body) });

    assert.equal((await set({ rest: { failNext: 2, errorStatus: 502 } })).status, 200);
    assert.equal((await get('api/json')).status, 502);
    assert.equal((await get('api/json')).status, 502);
    assert.equal((await get('api/json')).status, 200);

    await set({ rest: { notFoundRate: 1, pathContains: 'computer/' } });
    assert.equal((await get('computer/api/json')).status, 404);
    assert.equal((await get('api/json')).status, 200);
    await set({ rest: { notFoundRate: 0, pathContains: '' } });

    const refused = await set({ rest: { errorRate: 2 } });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /faults\.rest\.errorRate/);
    const unknown = await set({ zmq: { explode: true } });
    assert.equal(unknown.status, 400);
  });

  it('lists builds through /_sim/builds', async () => {
    const answer = await fetch(new URL('_sim/builds', jenkins.url));
    assert.deepEqual(await answer.json(), { builds: [] });
  });
});
