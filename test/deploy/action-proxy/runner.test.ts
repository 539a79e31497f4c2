import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { startContainer, type ActionContainer } from '../../../deploy/action-proxy/container.ts';
import { ACTIVATION_END_MARKER } from '../../../deploy/action-proxy/protocol.ts';

const started: ActionContainer[] = [];

after(async () => {
  await Promise.all(started.map((c) => c.stop()));
});

async function container(options: { concurrent?: boolean } = {}) {
  const c = await startContainer({
    action: 'test',
    memoryMb: 128,
    env: {},
    allowConcurrent: options.concurrent ?? false,
  });
  started.push(c);
  return c;
}

const IDENTITY = `module.exports.main = (params) => params;`;
const ENVIRONMENT = `
exports.main = function (params) {
  const env = {};
  for (const key of Object.keys(process.env)) if (key.startsWith('__OW_') || key === 'GREETING') {
    env[key] = process.env[key];
  }
  console.log('on stdout', params.n);
  console.error('on stderr', params.n);
  return { env, params };
};`;

describe('the action proxy', () => {
  it('runs the identity action: init answers OK, run returns the params', async () => {
    const c = await container();
    const init = await c.init({ value: { name: 'id', main: 'main', code: IDENTITY } }, 5000);
    assert.deepEqual([init.status, init.body], [200, { OK: true }]);
    const run = await c.run({ value: { a: 1, nested: { b: [true, null] } } }, 5000);
    assert.deepEqual([run.status, run.body], [200, { a: 1, nested: { b: [true, null] } }]);
  });

  it('copies every run field but value into __OW_ variables, init env into the env', async () => {
    const c = await container();
    await c.init({ value: { main: 'main', code: ENVIRONMENT, env: { GREETING: 'hej' } } }, 5000);
    const run = await c.run(
      {
        value: { n: 1 },
        namespace: 'guest',
        action_name: '/guest/pkg/act',
        activation_id: 'a1',
        deadline: '1700000000000',
        api_host: 'http://127.0.0.1:1',
        transaction_id: 't1',
      },
      5000,
    );
    const body = run.body as { env: Record<string, string>; params: unknown };
    assert.deepEqual(body.params, { n: 1 });
    assert.deepEqual(body.env, {
      GREETING: 'hej',
      __OW_NAMESPACE: 'guest',
      __OW_ACTION_NAME: '/guest/pkg/act',
      __OW_ACTIVATION_ID: 'a1',
      __OW_DEADLINE: '1700000000000',
      __OW_API_HOST: 'http://127.0.0.1:1',
      __OW_TRANSACTION_ID: 't1',
    });
  });

  it("spells the end marker as OpenWhisk's invokers look for it", () => {
    assert.match(ACTIVATION_END_MARKER, /^X{3}_THE_END_OF_A_WHISK_ACTIVATION_X{3}$/);
  });

  it('cuts the logs at the end marker on both streams, one activation at a time', async () => {
    const c = await container();
    await c.init({ value: { main: 'main', code: ENVIRONMENT } }, 5000);
    const first = await c.run({ value: { n: 1 } }, 5000);
    const second = await c.run({ value: { n: 2 } }, 5000);
    // The two streams interleave in no fixed order.
    assert.deepEqual(first.logs.map((line) => line.replace(/^\S+ /, '')).sort(), [
      'stderr: on stderr 1',
      'stdout: on stdout 1',
    ]);
    assert.ok(second.logs.some((line) => line.endsWith('stdout: on stdout 2')));
    assert.ok(second.logs.every((line) => !line.includes(' 1')), 'no line of the first run');
    assert.ok(first.logs.every((line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z std(out|err): /.test(line)));
  });

  it('refuses a second init and keeps the first code', async () => {
    const c = await container();
    await c.init({ value: { main: 'main', code: IDENTITY } }, 5000);
    const other = 'exports.main = () => ({x: 1})';
    const again = await c.init({ value: { main: 'main', code: other } }, 5000);
    assert.equal(again.status, 403);
    assert.match(String((again.body as { error: string }).error), /more than once/);
    assert.deepEqual((await c.run({ value: { y: 2 } }, 5000)).body, { y: 2 });
  });

  it('takes an entry point other than main, exported or global', async () => {
    const exported = await container();
    const niam = 'exports.niam = () => ({ ok: 1 })';
    await exported.init({ value: { main: 'niam', code: niam } }, 5000);
    assert.deepEqual((await exported.run({ value: {} }, 5000)).body, { ok: 1 });

    const global = await container();
    const code = 'globalThis.hello = (p) => ({ hi: p.name })';
    await global.init({ value: { main: 'hello', code } }, 5000);
    assert.deepEqual((await global.run({ value: { name: 'x' } }, 5000)).body, { hi: 'x' });
  });

  it('takes code sent as base64 when binary is true', async () => {
    const c = await container();
    const code = Buffer.from(IDENTITY).toString('base64');
    assert.equal((await c.init({ value: { main: 'main', code, binary: true } }, 5000)).status, 200);
    assert.deepEqual((await c.run({ value: { b: 1 } }, 5000)).body, { b: 1 });
  });

  it('refuses an empty init and a run before init', async () => {
    const c = await container();
    assert.equal((await c.run({ value: {} }, 5000)).status, 403);
    const empty = await c.init({ value: {} } as never, 5000);
    assert.equal(empty.status, 403);
    assert.match(String((empty.body as { error: string }).error), /no code/);
  });

  it('keeps Unicode and payloads over 1 MB intact', async () => {
    const c = await container();
    await c.init({ value: { main: 'main', code: IDENTITY } }, 5000);
    const text = 'Ünïcödé ✓ 日本語 🚀';
    assert.deepEqual((await c.run({ value: { text } }, 5000)).body, { text });
    const big = 'x'.repeat(1_500_000);
    const run = await c.run({ value: { big } }, 10_000);
    assert.equal((run.body as { big: string }).big.length, big.length);
  });

  it('answers 502 for a result that is not an object', async () => {
    const c = await container();
    await c.init({ value: { main: 'main', code: 'exports.main = () => 42' } }, 5000);
    const run = await c.run({ value: {} }, 5000);
    assert.equal(run.status, 502);
    assert.match(String((run.body as { error: string }).error), /dictionary/);
  });

  it('turns a rejected promise into an error result, a synchronous throw into a 502', async () => {
    const rejecting = await container();
    const rejects = 'exports.main = async () => { throw new Error("boom") }';
    await rejecting.init({ value: { main: 'main', code: rejects } }, 5000);
    const rejected = await rejecting.run({ value: {} }, 5000);
    assert.equal(rejected.status, 200);
    assert.equal((rejected.body as { error: { message: string } }).error.message, 'boom');

    const throwing = await container();
    const throws = 'exports.main = () => { throw new Error("sync") }';
    await throwing.init({ value: { main: 'main', code: throws } }, 5000);
    assert.equal((await throwing.run({ value: {} }, 5000)).status, 502);
    assert.equal((await throwing.run({ value: {} }, 5000)).status, 502, 'the container is done');
  });

  it('answers 502 when the code cannot be loaded, and refuses to run afterwards', async () => {
    const c = await container();
    const init = await c.init({ value: { main: 'main', code: 'this is not javascript' } }, 5000);
    assert.equal(init.status, 502);
    assert.match(String((init.body as { error: string }).error), /Initialization has failed/);
    assert.notEqual((await c.run({ value: {} }, 5000)).status, 200);
  });

  it('runs one activation at a time unless concurrency is allowed', async () => {
    const slow = 'exports.main = (p) => new Promise((r) => setTimeout(() => r({ n: p.n }), 300))';
    const single = await container();
    await single.init({ value: { main: 'main', code: slow } }, 5000);
    const [a, b] = await Promise.all([
      single.run({ value: { n: 1 } }, 5000),
      single.run({ value: { n: 2 } }, 5000),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 503]);

    const concurrent = await container({ concurrent: true });
    await concurrent.init({ value: { main: 'main', code: slow } }, 5000);
    const both = await Promise.all([
      concurrent.run({ value: { n: 1 } }, 5000),
      concurrent.run({ value: { n: 2 } }, 5000),
    ]);
    assert.deepEqual(
      both.map((r) => r.body),
      [{ n: 1 }, { n: 2 }],
    );
  });
});
