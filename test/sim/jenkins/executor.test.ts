import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { GEARMAN_OFFLINE_MESSAGE } from '../../../sim/jenkins/index.ts';
import {
  eventually,
  functionStatus,
  startTestGearmand,
  workerFunctions,
  type TestGearmand,
} from './support.ts';
import { LABEL, resultOf, startWorld, zuulParameters } from './world.ts';

let gearmand: TestGearmand;

before(async () => {
  gearmand = await startTestGearmand();
});

after(async () => {
  await gearmand.dispose();
});

const world = (t: TestContext, buildDurationMs: number) =>
  startWorld(t, gearmand, buildDurationMs);

describe('Jenkins stand-in executors', () => {
  it('registers build:JOB and build:JOB:LABEL for the jobs of the agent labels only', async (t) => {
    const { addAgent, job } = await world(t, 100);
    await addAgent('ci-jessie-1');

    assert.deepEqual(await workerFunctions(gearmand.port, 'ci-jessie-1_exec-0'), [
      `build:${job}`,
      `build:${job}:${LABEL}`,
    ]);
  });

  it('runs a build and reports it as the Gearman plugin does', async (t) => {
    const { addAgent, zuul, jenkins, job } = await world(t, 100);
    const machine = await addAgent('ci-jessie-2');

    const data: Array<Record<string, unknown>> = [];
    const result = await zuul.submit(`build:${job}:${LABEL}`, zuulParameters('uuid-2'), {
      unique: 'uuid-2',
      onData: (chunk) => data.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>),
    });

    const expected = {
      name: job,
      number: 1,
      manager: 'gallium',
      worker: 'ci-jessie-2_exec-0',
      url: `${jenkins.url}job/${job}/1/`,
      node_name: 'ci-jessie-2',
      node_labels: [LABEL],
    };
    assert.deepEqual(data, [expected]);
    assert.deepEqual(resultOf(result), { ...expected, result: 'SUCCESS' });

    const [build] = jenkins.builds();
    assert.equal(build?.launcher, `${machine.host}:${machine.port}`);
    assert.equal(build?.unique, 'uuid-2');
    assert.equal(build?.parameters.ZUUL_PROJECT, 'mediawiki/core');
    assert.equal(build?.result, 'SUCCESS');
    assert.ok(build?.endedAt && build.endedAt >= build.startedAt);
  });

  it('takes exactly one build with OFFLINE_NODE_WHEN_COMPLETE=1 and ends offline', async (t) => {
    const { addAgent, zuul, jenkins, client, job } = await world(t, 300);
    await addAgent('ci-jessie-3');

    const params = (uuid: string) => zuulParameters(uuid, { OFFLINE_NODE_WHEN_COMPLETE: '1' });
    const first = zuul.submit(`build:${job}:${LABEL}`, params('uuid-3a'), { unique: 'uuid-3a' });
    const second = zuul.submit(`build:${job}:${LABEL}`, params('uuid-3b'), { unique: 'uuid-3b' });
    let secondDone = false;
    void second.then(() => {
      secondDone = true;
    });

    assert.equal(resultOf(await first).result, 'SUCCESS');
    await sleep(900);

    assert.equal(secondDone, false, 'the second build must wait for another machine');
    assert.equal(jenkins.builds().length, 1);
    assert.deepEqual(await functionStatus(gearmand.port, `build:${job}:${LABEL}`), {
      total: 1,
      running: 0,
      workers: 0,
    });
    assert.deepEqual(await workerFunctions(gearmand.port, 'ci-jessie-3_exec-0'), []);

    const node = await client.getNode('ci-jessie-3');
    assert.equal(node?.temporarilyOffline, true);
    assert.equal(node?.offlineCauseReason, GEARMAN_OFFLINE_MESSAGE);

    await addAgent('ci-jessie-4');
    assert.equal(resultOf(await second).node_name, 'ci-jessie-4');

    const launchers = jenkins.builds().map((build) => build.launcher);
    assert.equal(new Set(launchers).size, launchers.length, 'a machine ran two builds');
  });

  it('keeps taking builds when the build does not ask for the node to go offline', async (t) => {
    const { addAgent, zuul, jenkins, client, job } = await world(t, 50);
    await addAgent('ci-jessie-5');

    const results = await Promise.all(
      ['a', 'b'].map((id) => zuul.submit(`build:${job}`, zuulParameters(id), { unique: id })),
    );

    assert.deepEqual(
      results.map((result) => resultOf(result).number).sort(),
      [1, 2],
    );
    assert.deepEqual(
      jenkins.builds().map((build) => build.nodeName),
      ['ci-jessie-5', 'ci-jessie-5'],
    );
    assert.equal((await client.getNode('ci-jessie-5'))?.temporarilyOffline, false);
  });

  it('registers nothing while taken offline by REST, and takes work once back', async (t) => {
    const { addAgent, zuul, jenkins, client, job } = await world(t, 50);
    await addAgent('ci-jessie-6');

    await client.setOffline('ci-jessie-6', 'held by an operator');
    await eventually('the functions to be dropped', async () => {
      const functions = await workerFunctions(gearmand.port, 'ci-jessie-6_exec-0');
      return functions?.length === 0 ? true : undefined;
    });

    const submitted = zuul.submit(`build:${job}`, zuulParameters('uuid-6'), { unique: 'uuid-6' });
    await sleep(300);
    assert.equal(jenkins.builds().length, 0);

    jenkins.state.toggleOffline('ci-jessie-6', '');
    assert.equal(resultOf(await submitted).node_name, 'ci-jessie-6');
  });

  it('lets a running build finish when its node is taken offline by REST', async (t) => {
    const { addAgent, zuul, jenkins, client, job } = await world(t, 400);
    await addAgent('ci-jessie-7');

    const submitted = zuul.submit(`build:${job}`, zuulParameters('uuid-7'), { unique: 'uuid-7' });
    await eventually('the build to start', () => (jenkins.builds().length > 0 ? true : undefined));
    assert.equal(await client.setOffline('ci-jessie-7', 'build started'), 'offlined');

    assert.equal(resultOf(await submitted).result, 'SUCCESS');
    assert.deepEqual(await workerFunctions(gearmand.port, 'ci-jessie-7_exec-0'), []);
    assert.equal((await client.getNode('ci-jessie-7'))?.offlineCauseReason, 'build started');
  });

  it('aborts the running build when its node is deleted', async (t) => {
    const { addAgent, zuul, jenkins, client, job } = await world(t, 10_000);
    await addAgent('ci-jessie-8');

    const submitted = zuul.submit(`build:${job}`, zuulParameters('uuid-8'), { unique: 'uuid-8' });
    await eventually('the build to start', () => (jenkins.builds().length > 0 ? true : undefined));
    assert.equal(await client.deleteNode('ci-jessie-8'), 'deleted');

    assert.equal(resultOf(await submitted).result, 'ABORTED');
    assert.equal(jenkins.builds()[0]?.result, 'ABORTED');
    await eventually('the worker to leave', async () => {
      const functions = await workerFunctions(gearmand.port, 'ci-jessie-8_exec-0');
      return functions === undefined ? true : undefined;
    });
  });

  it('ends a share of builds in FAILURE when told to', async (t) => {
    const { addAgent, zuul, jenkins, job } = await world(t, 10);
    jenkins.state.failureRate = 1;
    await addAgent('ci-jessie-9');

    const result = await zuul.submit(`build:${job}`, zuulParameters('uuid-9'));
    assert.equal(resultOf(result).result, 'FAILURE');
  });

  it('fails a job whose arguments are not a JSON object of strings', async (t) => {
    const { addAgent, zuul, jenkins, job } = await world(t, 10);
    await addAgent('ci-jessie-10');

    const result = await zuul.submit(`build:${job}`, '{"ZUUL_CHANGE": 12}');
    assert.equal(result.outcome, 'fail');
    assert.equal(jenkins.builds().length, 0);
  });

  it('aborts a running build when Zuul calls stop:<master>', async (t) => {
    const { addAgent, zuul, jenkins, job } = await world(t, 10_000);
    await addAgent('ci-jessie-11');

    const submitted = zuul.submit(`build:${job}`, zuulParameters('uuid-11'), { unique: 'uuid-11' });
    await eventually('the build to start', () => (jenkins.builds().length > 0 ? true : undefined));

    const stop = await zuul.submit('stop:gallium', JSON.stringify({ name: job, number: '1' }));
    assert.equal(stop.outcome, 'complete');
    assert.equal(resultOf(await submitted).result, 'ABORTED');

    const unknown = await zuul.submit('stop:gallium', JSON.stringify({ name: job, number: '9' }));
    assert.equal(unknown.outcome, 'fail');
  });

  it('sets a build description when Zuul calls set_description:<master>', async (t) => {
    const { addAgent, zuul, jenkins, job } = await world(t, 10);
    await addAgent('ci-jessie-12');
    await zuul.submit(`build:${job}`, zuulParameters('uuid-12'));

    const request = { name: job, number: '1', html_description: '<b>change 60105</b>' };
    const answer = await zuul.submit('set_description:gallium', JSON.stringify(request));
    assert.equal(answer.outcome, 'complete');
    assert.equal(jenkins.builds()[0]?.description, '<b>change 60105</b>');
  });

  it('takes no new build while Jenkins quiets down', async (t) => {
    const { addAgent, zuul, jenkins, job } = await world(t, 10);
    await addAgent('ci-jessie-13');
    jenkins.state.setQuietingDown(true);

    const submitted = zuul.submit(`build:${job}`, zuulParameters('uuid-13'));
    await sleep(300);
    assert.equal(jenkins.builds().length, 0);

    jenkins.state.setQuietingDown(false);
    assert.equal(resultOf(await submitted).node_name, 'ci-jessie-13');
  });
});
