import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ErrorCode, isWhiskpoolError } from '../../../lib/errors.ts';
import { GearmanClient, GearmanWorker, type GearmanJob } from '../../../sim/gearman/index.ts';
import {
  eventually,
  functionStatus,
  startTestGearmand,
  within,
  type TestGearmand,
} from './helpers.ts';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('GearmanWorker and GearmanClient against gearmand', () => {
  let gearmand: TestGearmand;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    gearmand = await startTestGearmand();
  });

  after(async () => {
    for (const close of closers.reverse()) await close();
    await gearmand.dispose();
  });

  function worker(clientId: string) {
    const w = new GearmanWorker({ host: gearmand.host, port: gearmand.port, clientId });
    closers.push(() => w.close());
    return w;
  }

  function client() {
    const c = new GearmanClient({ host: gearmand.host, port: gearmand.port });
    closers.push(() => c.close());
    return c;
  }

  test('a job round-trips with its unique id, payload, data, status and result', async () => {
    const w = worker('roundtrip_exec-0');
    const seen: { fn: string; unique: string; payload: string }[] = [];
    w.setHandler(async (job) => {
      seen.push({ fn: job.functionName, unique: job.unique, payload: job.payload.toString() });
      job.sendData('{"name":"tox-py27","number":7}');
      job.sendStatus(1500, 60000);
      await job.complete('{"result":"SUCCESS"}');
    });
    w.setFunctions(['build:tox-py27', 'build:tox-py27:ci-jessie-wikimedia']);
    await w.start();

    const created: string[] = [];
    const data: string[] = [];
    const result = await within(
      client().submit('build:tox-py27', '{"ZUUL_UUID":"abc"}', {
        unique: 'c0ffee00c0ffee00c0ffee00c0ffee00',
        onCreated: (handle) => created.push(handle),
        onData: (chunk) => data.push(chunk.toString()),
      }),
      5000,
      'job result',
    );

    assert.equal(result.outcome, 'complete');
    assert.equal(result.data.toString(), '{"result":"SUCCESS"}');
    assert.deepEqual(created, [result.handle]);
    assert.deepEqual(data, ['{"name":"tox-py27","number":7}']);
    assert.deepEqual(seen, [
      {
        fn: 'build:tox-py27',
        unique: 'c0ffee00c0ffee00c0ffee00c0ffee00',
        payload: '{"ZUUL_UUID":"abc"}',
      },
    ]);
  });

  test('payloads with NUL bytes arrive whole', async () => {
    const w = worker('binary_exec-0');
    w.setHandler(async (job) => job.complete(Buffer.concat([job.payload, Buffer.from([0, 1])])));
    w.setFunctions(['echo:binary']);
    await w.start();

    const payload = Buffer.from([1, 0, 2, 0, 0, 3]);
    const result = await within(client().submit('echo:binary', payload), 5000, 'echo');

    assert.deepEqual([...result.data], [1, 0, 2, 0, 0, 3, 0, 1]);
  });

  test('a worker that is not accepting never gets a job, and takes it once accepting', async () => {
    const w = worker('closed_exec-0');
    let assigned = 0;
    w.setHandler(async (job) => {
      assigned += 1;
      await job.complete();
    });
    w.setAccepting(false);
    w.setFunctions(['build:closed-job']);
    await w.start();

    const result = client().submit('build:closed-job', '{}');
    await eventually(
      async () => (await functionStatus(gearmand.port, 'build:closed-job'))?.total === 1,
      5000,
      'job queued',
    );
    await sleep(500);

    assert.equal(assigned, 0);
    assert.deepEqual(await functionStatus(gearmand.port, 'build:closed-job'), {
      total: 1,
      running: 0,
      workers: 1,
    });

    w.setAccepting(true);
    assert.equal((await within(result, 5000, 'job after accepting')).outcome, 'complete');
    assert.equal(assigned, 1);
  });

  test('two workers holding one job each share two jobs', async () => {
    const release = deferred();
    const takenBy: string[] = [];
    for (const id of ['two_exec-0', 'two_exec-1']) {
      const w = worker(id);
      w.setHandler(async (job) => {
        takenBy.push(id);
        await release.promise;
        await job.complete(id);
      });
      w.setFunctions(['build:pair']);
      await w.start();
    }

    const c = client();
    const results = [c.submit('build:pair', 'a'), c.submit('build:pair', 'b')];
    await eventually(() => takenBy.length === 2, 5000, 'both jobs running');
    release.resolve();
    const done = await within(Promise.all(results), 5000, 'both results');

    assert.deepEqual([...takenBy].sort(), ['two_exec-0', 'two_exec-1']);
    assert.deepEqual(done.map((r) => r.data.toString()).sort(), ['two_exec-0', 'two_exec-1']);
  });

  test('one worker runs its jobs one at a time', async () => {
    const w = worker('serial_exec-0');
    let running = 0;
    let most = 0;
    w.setHandler(async (job) => {
      running += 1;
      most = Math.max(most, running);
      await sleep(50);
      running -= 1;
      await job.complete();
    });
    w.setFunctions(['build:serial']);
    await w.start();

    const c = client();
    const jobs = [1, 2, 3].map((n) => c.submit('build:serial', String(n)));
    const done = await within(Promise.all(jobs), 5000, 'three results');

    assert.deepEqual(done.map((r) => r.outcome), ['complete', 'complete', 'complete']);
    assert.equal(most, 1);
  });

  test('the client gets fail when the worker sends WORK_FAIL or its handler throws', async () => {
    const w = worker('failing_exec-0');
    w.setHandler(async (job) => {
      if (job.payload.toString() === 'throw') throw new Error('handler broke');
      await job.fail();
    });
    w.setFunctions(['build:failing']);
    await w.start();

    const c = client();
    const failed = await within(c.submit('build:failing', 'fail'), 5000, 'WORK_FAIL');
    const thrown = await within(c.submit('build:failing', 'throw'), 5000, 'thrown');

    assert.equal(failed.outcome, 'fail');
    assert.equal(failed.data.length, 0);
    assert.equal(thrown.outcome, 'fail');
  });

  test('dropping all functions during a job waits for its WORK_COMPLETE', async () => {
    const w = worker('single-use_exec-0');
    let assigned = 0;
    w.setHandler(async (job: GearmanJob) => {
      assigned += 1;
      w.setAccepting(false);
      w.setFunctions([]);
      await sleep(100);
      await job.complete('done');
    });
    w.setFunctions(['build:single-use']);
    await w.start();

    const c = client();
    const result = await within(c.submit('build:single-use', '{}'), 5000, 'single-use job');
    const second = c.submit('build:single-use', '{}');
    await sleep(500);

    assert.equal(result.outcome, 'complete');
    assert.equal(result.data.toString(), 'done');
    assert.equal(assigned, 1);
    assert.deepEqual(await functionStatus(gearmand.port, 'build:single-use'), {
      total: 1,
      running: 0,
      workers: 0,
    });
    void second.catch(() => undefined);
  });

  test('high priority jobs are taken before normal ones queued earlier', async () => {
    const w = worker('priority_exec-0');
    const order: string[] = [];
    w.setAccepting(false);
    w.setHandler(async (job) => {
      order.push(job.payload.toString());
      await job.complete();
    });
    w.setFunctions(['build:priority']);
    await w.start();

    const c = client();
    const created = deferred();
    const jobs = [
      c.submit('build:priority', 'low', { priority: 'low' }),
      c.submit('build:priority', 'normal'),
      c.submit('build:priority', 'high', { priority: 'high', onCreated: () => created.resolve() }),
    ];
    await within(created.promise, 5000, 'high job created');
    w.setAccepting(true);
    await within(Promise.all(jobs), 5000, 'all three');

    assert.deepEqual(order, ['high', 'normal', 'low']);
  });
});

describe('GearmanWorker across a gearmand restart', () => {
  let gearmand: TestGearmand;

  before(async () => {
    gearmand = await startTestGearmand();
  });

  after(async () => {
    await gearmand.dispose();
  });

  test('the worker re-registers and takes jobs again after gearmand restarts', async (t) => {
    const w = new GearmanWorker({ host: gearmand.host, port: gearmand.port, clientId: 'r_exec-0' });
    t.after(() => w.close());
    w.setHandler(async (job) => job.complete(`ran ${job.payload.toString()}`));
    w.setFunctions(['build:survivor']);
    await w.start();

    const before = new GearmanClient({ host: gearmand.host, port: gearmand.port });
    assert.equal((await within(before.submit('build:survivor', '1'), 5000, 'first')).outcome,
      'complete');
    await before.close();

    gearmand = await gearmand.restart();
    await eventually(
      async () => (await functionStatus(gearmand.port, 'build:survivor'))?.workers === 1,
      10_000,
      'function registered again',
    );

    const again = new GearmanClient({ host: gearmand.host, port: gearmand.port });
    t.after(() => again.close());
    const result = await within(again.submit('build:survivor', '2'), 5000, 'after restart');

    assert.equal(result.outcome, 'complete');
    assert.equal(result.data.toString(), 'ran 2');
  });

  test('a client whose gearmand goes away rejects its pending job as retryable', async (t) => {
    const c = new GearmanClient({ host: gearmand.host, port: gearmand.port });
    t.after(() => c.close());
    const pending = c.submit('build:nobody-runs-this', '{}');
    const settled = pending.then(
      () => undefined,
      (error: unknown) => error,
    );
    await eventually(
      async () => (await functionStatus(gearmand.port, 'build:nobody-runs-this'))?.total === 1,
      5000,
      'job queued',
    );

    gearmand = await gearmand.restart();

    const error = await within(settled, 5000, 'rejection');
    assert.ok(isWhiskpoolError(error, ErrorCode.GearmanUnavailable), String(error));
    assert.equal(error.retryable, true);
  });
});
