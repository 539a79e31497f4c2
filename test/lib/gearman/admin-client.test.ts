import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { ErrorCode, isWhiskpoolError } from '../../../lib/errors.ts';
import { fetchStatus } from '../../../lib/gearman/admin-client.ts';
import { buildDemand } from '../../../lib/gearman/build-demand.ts';
import { GearmanClient, GearmanWorker } from '../../../sim/gearman/index.ts';
import { freePort } from '../../support/ports.ts';
import { eventually, startTestGearmand, type TestGearmand } from '../../sim/gearman/helpers.ts';

describe('fetchStatus against gearmand', () => {
  let gearmand: TestGearmand;
  let worker: GearmanWorker;
  let client: GearmanClient;

  before(async () => {
    gearmand = await startTestGearmand();
    worker = new GearmanWorker({
      host: gearmand.host,
      port: gearmand.port,
      clientId: 'ci-jessie-wikimedia-1_exec-0',
    });
    client = new GearmanClient({ host: gearmand.host, port: gearmand.port });
  });

  after(async () => {
    await client.close();
    await worker.close();
    await gearmand.dispose();
  });

  test('a fresh server lists no functions', async () => {
    const status = await fetchStatus(gearmand.host, gearmand.port, 2000);

    assert.deepEqual(status, { functions: [], problems: [] });
  });

  test('registered functions and queued jobs are counted, with spaces in names', async () => {
    worker.setAccepting(false);
    worker.setFunctions([
      'build:tox-py27',
      'build:tox-py27:ci-jessie-wikimedia',
      'build:Run all tests',
      'build:Run all tests:ci-jessie-wikimedia',
    ]);
    await worker.start();

    const pending = [
      client.submit('build:tox-py27', '{}'),
      client.submit('build:tox-py27', '{}'),
      client.submit('build:Run all tests:ci-jessie-wikimedia', '{}'),
    ];
    for (const job of pending) job.catch(() => undefined);

    await eventually(
      async () => {
        const status = await fetchStatus(gearmand.host, gearmand.port, 2000);
        return status.functions.reduce((sum, fn) => sum + fn.total, 0) === 3;
      },
      5000,
      'three jobs queued',
    );
    const status = await fetchStatus(gearmand.host, gearmand.port, 2000);
    const byName = Object.fromEntries(status.functions.map((fn) => [fn.name, fn]));

    assert.deepEqual(status.problems, []);
    assert.deepEqual(byName['build:tox-py27'], {
      name: 'build:tox-py27',
      total: 2,
      running: 0,
      workers: 1,
    });
    assert.equal(byName['build:tox-py27:ci-jessie-wikimedia']?.total, 0);
    assert.equal(byName['build:Run all tests']?.workers, 1);
    assert.equal(byName['build:Run all tests:ci-jessie-wikimedia']?.total, 1);

    const { demand } = buildDemand([status]);
    assert.deepEqual(Object.fromEntries(demand), { 'ci-jessie-wikimedia': 3 });
  });

  test('a running job stays in TOTAL and shows in RUNNING', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    worker.setHandler(async (job) => {
      await held;
      await job.complete();
    });
    worker.setAccepting(true);

    await eventually(
      async () => {
        const status = await fetchStatus(gearmand.host, gearmand.port, 2000);
        return status.functions.some((fn) => fn.running === 1);
      },
      5000,
      'one job running',
    );
    const status = await fetchStatus(gearmand.host, gearmand.port, 2000);
    release();

    const total = status.functions.reduce((sum, fn) => sum + fn.total, 0);
    const running = status.functions.reduce((sum, fn) => sum + fn.running, 0);
    assert.equal(total, 3);
    assert.equal(running, 1);
  });
});

describe('fetchStatus when the server fails', () => {
  const servers: Server[] = [];

  after(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  async function fakeServer(onConnection: (socket: import('node:net').Socket) => void) {
    const server = createServer(onConnection);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async function assertUnavailable(promise: Promise<unknown>, mentions: string) {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isWhiskpoolError(error, ErrorCode.GearmanUnavailable), String(error));
    assert.equal(error.retryable, true);
    assert.ok(error.message.includes(mentions), error.message);
  }

  test('nothing listening is GearmanUnavailable and retryable', async () => {
    const port = await freePort();

    await assertUnavailable(fetchStatus('127.0.0.1', port, 2000), `127.0.0.1:${port}`);
  });

  test('a reply closed before the "." line is GearmanUnavailable', async () => {
    const port = await fakeServer((socket) => {
      socket.once('data', () => socket.end('build:tox\t1\t0\t1\n'));
    });

    await assertUnavailable(fetchStatus('127.0.0.1', port, 2000), 'closing "."');
  });

  test('a server that never finishes its reply times out', async () => {
    const port = await fakeServer((socket) => {
      socket.once('data', () => socket.write('build:tox\t1\t0\t1\n'));
      socket.on('error', () => undefined);
    });

    await assertUnavailable(fetchStatus('127.0.0.1', port, 300), '300 ms');
  });

  test('a reply arriving in pieces is read up to the "." line', async () => {
    const port = await fakeServer((socket) => {
      socket.once('data', async () => {
        for (const piece of ['build:to', 'x\t2\t0\t1\n', '.', '\n']) {
          socket.write(piece);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      });
      socket.on('error', () => undefined);
    });

    const status = await fetchStatus('127.0.0.1', port, 2000);

    assert.deepEqual(status.functions, [{ name: 'build:tox', total: 2, running: 0, workers: 1 }]);
  });
});
