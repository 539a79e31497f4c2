import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startChild } from '../../../deploy/services/child.ts';
import { JenkinsClient } from '../../../lib/jenkins/index.ts';
import { quietLog } from './support.ts';

const MAIN = fileURLToPath(new URL('../../../sim/jenkins/main.ts', import.meta.url));
const API_KEY = 'main-test-key-5555';

interface Listening {
  url: string;
  zmqUrl: string;
  gearman: string | null;
  masterName: string;
}

async function startMain(args: string[]) {
  const output = new PassThrough();
  const child = startChild({
    name: 'jenkins-sim',
    command: process.execPath,
    args: ['--import', 'tsx', MAIN, '--log-level', 'warn', ...args],
    env: { ...process.env, JENKINS_SIM_API_KEY: API_KEY },
    output,
  });

  const lines = createInterface({ input: output });
  const exited = once(child.process, 'exit').then(() => {
    throw new Error('jenkins-sim exited before it was listening');
  });
  const listening = (async () => {
    for await (const line of lines) {
      if (line.startsWith('{"listening"')) return JSON.parse(line) as { listening: Listening };
    }
    throw new Error('jenkins-sim output ended before it was listening');
  })();

  return { child, ready: await Promise.race([listening, exited]) };
}

describe('jenkins-sim process', () => {
  it('prints where it listens and serves the REST API there', async (t) => {
    const args = ['--jobs', 'tox-jessie=ci-jessie', '--master-name', 'gallium'];
    const { child, ready } = await startMain(args);
    t.after(() => child.stop());

    assert.match(ready.listening.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(ready.listening.zmqUrl, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(ready.listening.masterName, 'gallium');
    assert.ok(!JSON.stringify(ready).includes(API_KEY));

    const client = new JenkinsClient({
      target: { name: 'proc', url: ready.listening.url, user: 'whiskpool', apiKey: API_KEY },
      log: quietLog(),
    });
    assert.deepEqual(await client.getInfo(), { quietingDown: false });
  });

  it('takes its jobs from the shared catalog when given labels', async (t) => {
    const { child, ready } = await startMain(['--labels', 'ci-jessie-wikimedia']);
    t.after(() => child.stop());

    const auth = Buffer.from(`whiskpool:${API_KEY}`).toString('base64');
    const answer = await fetch(new URL('api/json', ready.listening.url), {
      headers: { authorization: `Basic ${auth}` },
    });
    const body = (await answer.json()) as { jobs: Array<{ name: string }> };
    assert.ok(body.jobs.length > 0, 'no job for the label');
  });

  it('refuses to start without an API key in the environment', () => {
    const env = { ...process.env };
    delete env.JENKINS_SIM_API_KEY;
    const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--jobs', 'a=b'], {
      env,
      encoding: 'utf8',
    });

    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /JENKINS_SIM_API_KEY/);
  });
});
