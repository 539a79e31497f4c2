import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

import { JenkinsClient } from '../../../lib/jenkins/index.ts';
import { GearmanClient, type JobResult } from '../../../sim/gearman/index.ts';
import { startJenkinsSim, type JenkinsSim } from '../../../sim/jenkins/index.ts';
import {
  eventually,
  quietLog,
  startSshEndpoint,
  workerFunctions,
  type SshEndpoint,
  type TestGearmand,
} from './support.ts';

export const USER = 'whiskpool';
export const API_KEY = 'test-api-key-0123456789';
export const LABEL = 'ci-jessie';
const log = quietLog();
let jobCounter = 0;

export interface World {
  jenkins: JenkinsSim;
  client: JenkinsClient;
  zuul: GearmanClient;
  job: string;
  /** Creates an agent for a new machine and waits until its executor registered its jobs. */
  addAgent(name: string): Promise<SshEndpoint>;
}

/** A Jenkins stand-in with one job of its own, so tests do not see each other's queues. */
export async function startWorld(
  t: TestContext,
  gearmand: TestGearmand,
  buildDurationMs: number,
): Promise<World> {
  jobCounter += 1;
  const job = `tox-jessie-${jobCounter}`;
  const jenkins = await startJenkinsSim({
    user: USER,
    apiKey: API_KEY,
    gearman: { host: gearmand.host, port: gearmand.port },
    catalog: [
      { job, label: LABEL },
      { job: `${job}-trusty`, label: 'ci-trusty' },
    ],
    buildDurationMs,
    masterName: 'gallium',
    launch: { attempts: 5, retryDelayMs: 50, attemptTimeoutMs: 500 },
    log,
  });
  const zuul = new GearmanClient({ host: gearmand.host, port: gearmand.port });
  const machines: SshEndpoint[] = [];
  t.after(async () => {
    await zuul.close();
    await jenkins.close();
    await Promise.all(machines.map((machine) => machine.close()));
  });

  const client = new JenkinsClient({
    target: { name: 'sim', url: jenkins.url, user: USER, apiKey: API_KEY },
    log,
  });

  async function addAgent(name: string) {
    const machine = await startSshEndpoint();
    machines.push(machine);
    await client.createNode({
      name,
      description: 'Dynamic single use node',
      labels: [LABEL],
      remoteFs: '/home/jenkins',
      host: machine.host,
      port: machine.port,
    });
    await eventually(`${name} to register its jobs`, async () => {
      const functions = await workerFunctions(gearmand.port, `${name}_exec-0`);
      return functions && functions.length > 0 ? functions : undefined;
    });
    return machine;
  }

  return { jenkins, client, zuul, job, addAgent };
}

export function zuulParameters(uuid: string, extra: Record<string, string> = {}) {
  return JSON.stringify({
    ZUUL_UUID: uuid,
    ZUUL_PROJECT: 'mediawiki/core',
    ZUUL_PIPELINE: 'test',
    ZUUL_BRANCH: 'master',
    ...extra,
  });
}

export function resultOf(result: JobResult): Record<string, unknown> {
  assert.equal(result.outcome, 'complete');
  return JSON.parse(result.data.toString('utf8')) as Record<string, unknown>;
}
