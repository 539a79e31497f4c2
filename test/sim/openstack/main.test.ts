import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { freePort } from '../../support/ports.ts';
import { request } from './raw-api.ts';

const MAIN = new URL('../../../sim/openstack/main.ts', import.meta.url).pathname;

describe('OpenStack stand-in as a process', () => {
  it('prints where it listens, serves the API and stops on SIGTERM', async (t) => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', String(port),
      '--max-instances', '3', '--boot-delay-ms', '5', '--user', 'nodepool', '--password',
      'pw', '--project', 'ci', '--project-id', 'c1c1', '--image', 'ci-a', '--image', 'ci-b',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(child, 'exit');
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.stderr.resume();

    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, 'line')) as [string];
    const { listening } = JSON.parse(first);
    assert.equal(listening.port, port);
    assert.equal(listening.authUrl, `http://127.0.0.1:${port}/identity/v3`);
    assert.equal(listening.username, 'nodepool');
    assert.equal(listening.projectName, 'ci');
    assert.equal(listening.projectId, 'c1c1');
    assert.deepEqual(listening.images.map((i: { name: string }) => i.name), ['ci-a', 'ci-b']);

    const token = await request('POST', `${listening.authUrl}/auth/tokens`, {
      auth: {
        identity: { methods: ['password'], password: { user: {
          name: 'nodepool', domain: { name: 'Default' }, password: 'pw' } } },
        scope: { project: { id: 'c1c1' } },
      },
    });
    assert.equal(token.status, 201);
    const state = await request('GET', `http://127.0.0.1:${port}/_sim/state`);
    assert.equal(state.body.maxInstances, 3);

    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
  });

  it('refuses a malformed number and says which option', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--max-instances', 'ten'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');

    assert.equal(code, 2);
    assert.match(stderr, /--max-instances must be an integer/);
  });
});
