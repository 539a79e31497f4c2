import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';

import { launch, readSshBanner } from '../../../sim/jenkins/launcher.ts';
import { freePort } from '../../support/ports.ts';

/** A TCP server on 127.0.0.1 that writes `greeting` to each connection, then maybe closes it. */
async function greeter(t: TestContext, greeting: string, close = true): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.write(greeting);
    if (close) socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

describe('readSshBanner', () => {
  const answers: Array<{ name: string; greeting: string; banner?: string; error?: RegExp }> = [
    {
      name: 'an OpenSSH banner',
      greeting: 'SSH-2.0-OpenSSH_6.7p1 Debian-5\r\n',
      banner: 'SSH-2.0-OpenSSH_6.7p1 Debian-5',
    },
    { name: 'a banner without CR', greeting: 'SSH-2.0-test\n', banner: 'SSH-2.0-test' },
    { name: 'lines before the banner', greeting: 'welcome\r\nSSH-2.0-x\r\n', banner: 'SSH-2.0-x' },
    { name: 'an HTTP server', greeting: 'HTTP/1.1 400 Bad\r\n\r\n', error: /closed before/ },
    { name: 'a banner cut short', greeting: 'SSH-2.0-no-newline', error: /closed before/ },
    { name: 'nothing at all', greeting: '', error: /closed before/ },
  ];

  for (const answer of answers) {
    it(`${answer.banner ? 'accepts' : 'rejects'} ${answer.name}`, async (t) => {
      const port = await greeter(t, answer.greeting);
      const reading = readSshBanner('127.0.0.1', port, 1000);
      if (answer.banner) assert.equal(await reading, answer.banner);
      else await assert.rejects(reading, answer.error ?? /./);
    });
  }

  it('gives up on a server that never speaks', async (t) => {
    const port = await greeter(t, '', false);
    await assert.rejects(readSshBanner('127.0.0.1', port, 150), /no SSH banner within 150 ms/);
  });

  it('rejects a port nobody listens on', async () => {
    await assert.rejects(readSshBanner('127.0.0.1', await freePort(), 1000), /ECONNREFUSED/);
  });

  it('never connects outside the loopback network', async () => {
    await assert.rejects(readSshBanner('10.0.0.5', 22, 1000), /not a loopback address/);
  });
});

describe('launch', () => {
  it('keeps trying until the machine answers', async (t) => {
    const port = await freePort();
    const signal = new AbortController().signal;
    const policy = { attempts: 20, retryDelayMs: 30, attemptTimeoutMs: 500 };

    const launching = launch('127.0.0.1', port, policy, signal);
    setTimeout(() => {
      const server = createServer((socket) => socket.end('SSH-2.0-late\r\n'));
      server.listen(port, '127.0.0.1');
      t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    }, 150);

    assert.deepEqual(await launching, { banner: 'SSH-2.0-late' });
  });

  it('stops trying once cancelled', async () => {
    const abort = new AbortController();
    const policy = { attempts: 1000, retryDelayMs: 20, attemptTimeoutMs: 500 };
    const launching = launch('127.0.0.1', await freePort(), policy, abort.signal);
    setTimeout(() => abort.abort(), 100);

    assert.deepEqual(await launching, { failure: 'cancelled' });
  });

  it('reports the last failure once the attempts run out', async () => {
    const policy = { attempts: 3, retryDelayMs: 10, attemptTimeoutMs: 500 };
    const signal = new AbortController().signal;
    const outcome = await launch('127.0.0.1', await freePort(), policy, signal);
    assert.ok('failure' in outcome);
    assert.match(outcome.failure, /ECONNREFUSED/);
  });
});
