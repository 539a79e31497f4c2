import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import openwhisk from 'openwhisk';

import { createLogger } from '../../../lib/log.ts';
import { startOpenWhiskSim, type OpenWhiskSim } from '../../../sim/openwhisk/index.ts';
import { waitFor } from '../../support/wait.ts';

const API_KEY = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:sim-test-key';
const AUTH = `Basic ${Buffer.from(API_KEY).toString('base64')}`;

const ECHO = `exports.main = async (p) => {
  if (p.fail) return { error: { code: 'WP_TEST', message: 'asked to fail' } };
  return { got: p, ns: process.env.__OW_NAMESPACE, name: process.env.__OW_ACTION_NAME };
};`;

describe('the OpenWhisk stand-in', () => {
  let sim: OpenWhiskSim;
  let ow: ReturnType<typeof openwhisk>;

  before(async () => {
    sim = await startOpenWhiskSim({
      apiKey: API_KEY,
      blockingWaitMs: 5000,
      log: createLogger({ name: 'test', level: 'silent' }),
    });
    ow = openwhisk({ apihost: sim.url, api_key: API_KEY });
    const parameters = [{ key: 'fromPkg', value: 1 }];
    await ow.packages.create({ name: 'pkg', package: { parameters } });
    await ow.actions.create({ name: 'pkg/echo', action: ECHO, kind: 'nodejs:20' });
  });
  after(async () => sim.close());

  async function request(method: string, path: string, body?: unknown, auth = AUTH, ns = '_') {
    const response = await fetch(`${sim.url}/api/v1/namespaces/${ns}/${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const code = { kind: 'nodejs:20', code: 'x' };
  const python = { kind: 'python:3', code: 'x' };
  const tooLong = { timeout: 300_001 };
  const refusals: [string, string, string, unknown, number][] = [
    ['an unknown field', 'PUT', 'actions/pkg/a', { exec: code, extra: 1 }, 400],
    ['a kind it cannot run', 'PUT', 'actions/pkg/a', { exec: python }, 400],
    ['an action without code', 'PUT', 'actions/pkg/a', { exec: { kind: 'nodejs:20' } }, 400],
    ['a timeout over 300 s', 'PUT', 'actions/pkg/a', { exec: code, limits: tooLong }, 400],
    ['memory under 128 MB', 'PUT', 'actions/pkg/a', { exec: code, limits: { memory: 64 } }, 400],
    ['an action in a missing package', 'PUT', 'actions/nopkg/a', { exec: code }, 404],
    ['parameters that are not key-value pairs', 'PUT', 'triggers/t', { parameters: { a: 1 } }, 400],
    ['an entity name with a bad character', 'PUT', 'triggers/bad%24name', {}, 400],
    ['a rule with a bare trigger name', 'PUT', 'rules/r', { trigger: 't', action: '/_/p/a' }, 400],
    ['an unknown query option', 'PUT', 'triggers/t?force=true', {}, 400],
  ];
  for (const [what, method, path, body, status] of refusals) {
    it(`refuses ${what}`, async () => {
      const answer = await request(method, path, body);
      assert.equal(answer.status, status, JSON.stringify(answer.body));
      assert.equal(typeof answer.body.error, 'string');
    });
  }

  it('records refusals of shape, so a deployment can be checked for them', () => {
    assert.ok(sim.refusals().some((r) => r.problems.some((p) => p.startsWith('limits.timeout'))));
  });

  it('refuses a wrong key, a second create without overwrite, a package not empty', async () => {
    assert.equal((await request('GET', 'actions', undefined, 'Basic bm9wZQ==')).status, 401);
    assert.equal((await request('PUT', 'packages/pkg', {})).status, 409);
    const removal = await request('DELETE', 'packages/pkg');
    assert.equal(removal.status, 409);
    assert.match(String(removal.body.error), /not empty/);
  });

  it('runs a blocking invocation through the action proxy, with package defaults', async () => {
    const result = await ow.actions.invoke({
      name: 'pkg/echo',
      params: { a: 1 },
      blocking: true,
      result: true,
    });
    assert.deepEqual(result, {
      got: { fromPkg: 1, a: 1 },
      ns: 'guest',
      name: '/guest/pkg/echo',
    });
  });

  it('answers an application error with 502 and the activation', async () => {
    const answer = await request('POST', 'actions/pkg/echo?blocking=true', { fail: true });
    assert.equal(answer.status, 502);
    const response = answer.body.response as { status: string; result: unknown };
    assert.equal(response.status, 'application error');
    assert.deepEqual(response.result, { error: { code: 'WP_TEST', message: 'asked to fail' } });
  });

  it('runs the action of an active rule when an alarm fires its trigger', async () => {
    await ow.triggers.create({ name: 'tick' });
    await ow.feeds.create({
      name: '/whisk.system/alarms/alarm',
      trigger: 'tick',
      params: { cron: '0 0 1 1 *', trigger_payload: { from: 'alarm' } },
    });
    await ow.rules.create({ name: 'tick-echo', trigger: 'tick', action: 'pkg/echo' });

    assert.equal(sim.fireAlarms(), 1);
    await waitFor('the rule to run echo', 10_000, async () =>
      sim.activations
        .list('guest', 'echo')
        .some((r) => (r.response.result.got as { from?: string } | undefined)?.from === 'alarm'),
    );
  });

  it('refuses alarm feed calls for a missing trigger, a bad cron, or another key', async () => {
    const feed = (params: Record<string, unknown>) =>
      request('POST', 'actions/alarms/alarm?blocking=true', params, AUTH, 'whisk.system');
    const base = {
      lifecycleEvent: 'CREATE',
      triggerName: '/_/tock',
      authKey: API_KEY,
      cron: '* * * * *',
    };
    assert.equal((await feed(base)).status, 502, 'no trigger tock');
    await ow.triggers.create({ name: 'tock' });
    assert.equal((await feed({ ...base, cron: '61 * * * *' })).status, 502, 'minute 61');
    assert.equal((await feed({ ...base, authKey: 'other:key' })).status, 502, 'another key');
    assert.equal((await feed(base)).status, 200);
    assert.equal((await feed(base)).status, 502, 'a second alarm on one trigger');
  });
});
