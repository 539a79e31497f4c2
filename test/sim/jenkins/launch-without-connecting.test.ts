import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { JenkinsClient } from '../../../lib/jenkins/index.ts';
import { startJenkinsSim } from '../../../sim/jenkins/index.ts';
import {
  DEFAULT_LAUNCH_POLICY,
  launch,
  UNCONNECTED_BANNER,
} from '../../../sim/jenkins/launcher.ts';
import { eventually, quietLog } from './support.ts';

const USER = 'whiskpool';
const API_KEY = 'test-api-key-launch';

describe('agents of machines without an address', () => {
  it('come online without a connection when the stand-in is told not to connect', async () => {
    const outcome = await launch('', 22, { ...DEFAULT_LAUNCH_POLICY, connect: false },
      new AbortController().signal);
    assert.ok('banner' in outcome && outcome.banner.startsWith('none:'), JSON.stringify(outcome));
  });

  it('are taken with an empty host and go online when the stand-in does not connect',
    async (t) => {
      const jenkins = await startJenkinsSim({
        user: USER,
        apiKey: API_KEY,
        catalog: [{ job: 'tox-jessie', label: 'ci-jessie' }],
        buildDurationMs: 10,
        launch: { connect: false },
        log: quietLog(),
      });
      t.after(() => jenkins.close());
      const client = new JenkinsClient({
        target: { name: 'sim', url: jenkins.url, user: USER, apiKey: API_KEY },
        log: quietLog(),
      });

      await client.createNode({ name: 'ci-jessie-1', description: 'Dynamic single use node',
        labels: ['ci-jessie'], remoteFs: '/home/jenkins', host: '', port: 22 });

      const computer = await eventually('the agent online', async () => {
        const found = jenkins.computer('ci-jessie-1');
        return found?.connection === 'online' ? found : undefined;
      });
      assert.equal(computer.banner, UNCONNECTED_BANNER);
    });

  it('are refused without a host when the stand-in connects, as before', async (t) => {
    const jenkins = await startJenkinsSim({
      user: USER,
      apiKey: API_KEY,
      catalog: [{ job: 'tox-jessie', label: 'ci-jessie' }],
      buildDurationMs: 10,
      log: quietLog(),
    });
    t.after(() => jenkins.close());
    const client = new JenkinsClient({
      target: { name: 'sim', url: jenkins.url, user: USER, apiKey: API_KEY },
      log: quietLog(),
    });

    await assert.rejects(client.createNode({ name: 'ci-jessie-2', description: 'Dynamic',
      labels: ['ci-jessie'], remoteFs: '/home/jenkins', host: '', port: 22 }), /Host is required/);
    assert.equal(jenkins.computer('ci-jessie-2'), undefined);
  });
});
