import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { createLogger } from '../../../lib/log.ts';
import { loadCatalog } from '../../../sim/catalog/index.ts';
import { GearmanWorker, type GearmanJob } from '../../../sim/gearman/index.ts';
import { runSubmitter, type SubmitterJob } from '../../../sim/zuul/index.ts';
import {
  functionStatus,
  startTestGearmand,
  within,
  type TestGearmand,
} from '../gearman/helpers.ts';

const PARAMETER_KEYS = [
  'BASE_LOG_PATH',
  'LOG_PATH',
  'OFFLINE_NODE_WHEN_COMPLETE',
  'ZUUL_BRANCH',
  'ZUUL_CHANGE',
  'ZUUL_CHANGES',
  'ZUUL_CHANGE_IDS',
  'ZUUL_COMMIT',
  'ZUUL_PATCHSET',
  'ZUUL_PIPELINE',
  'ZUUL_PROJECT',
  'ZUUL_REF',
  'ZUUL_URL',
  'ZUUL_UUID',
  'ZUUL_VOTING',
];

function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { log: createLogger({ name: 'test.zuul', level: 'info', destination }), lines };
}

describe('runSubmitter against gearmand', () => {
  let gearmand: TestGearmand;
  const closers: (() => Promise<unknown>)[] = [];

  before(async () => {
    gearmand = await startTestGearmand();
  });

  after(async () => {
    for (const close of closers.reverse()) await close();
    await gearmand.dispose();
  });

  /** A Jenkins-like executor: registers build:JOB, answers as the Gearman plugin does. */
  async function executor(node: string, jobs: string[], seen: GearmanJob[] = []) {
    const worker = new GearmanWorker({
      host: gearmand.host,
      port: gearmand.port,
      clientId: `${node}_exec-0`,
    });
    closers.push(() => worker.close());
    let number = 0;
    worker.setHandler(async (job) => {
      seen.push(job);
      number += 1;
      const name = job.functionName.slice('build:'.length);
      const status = { name, number, manager: 'jenkins-sim', worker: `${node}_exec-0` };
      job.sendData(JSON.stringify({ ...status, node_name: node }));
      await job.complete(JSON.stringify({ ...status, result: 'SUCCESS', node_name: node }));
    });
    worker.setFunctions(jobs.map((job) => `build:${job}`));
    await worker.start();
    return worker;
  }

  test('each build carries Zuul parameters and records the WORK_COMPLETE data', async () => {
    const catalog = loadCatalog({ labels: ['ci-jessie-wikimedia'] });
    const seen: GearmanJob[] = [];
    await executor('ci-jessie-wikimedia-1', catalog.map((entry) => entry.job), seen);
    const { log } = capturingLog();

    const submitter = runSubmitter({
      gearman: gearmand,
      catalog,
      rate: 50,
      builds: 5,
      log,
    });
    closers.push(() => submitter.stop());
    const report = await within(submitter.done, 10_000, 'five builds');

    assert.equal(report.submitted, 5);
    assert.equal(report.completed, 5);
    assert.equal(report.builds.length, 5);
    assert.equal(seen.length, 5);
    for (const job of seen) {
      const parameters = JSON.parse(job.payload.toString()) as Record<string, string>;
      assert.deepEqual(Object.keys(parameters).sort(), PARAMETER_KEYS);
      assert.equal(job.unique, parameters.ZUUL_UUID);
      assert.equal(parameters.OFFLINE_NODE_WHEN_COMPLETE, '1');

      const entry = catalog.find((e) => `build:${e.job}` === job.functionName);
      assert.ok(entry, `${job.functionName} is a catalog job`);
      assert.ok(
        entry.runs.some(
          (run) =>
            run.project === parameters.ZUUL_PROJECT && run.pipeline === parameters.ZUUL_PIPELINE,
        ),
        `${entry.job} runs for ${parameters.ZUUL_PROJECT} in ${parameters.ZUUL_PIPELINE}`,
      );
    }

    const numbers = report.builds.map((build) => build.number).sort();
    assert.deepEqual(numbers, [1, 2, 3, 4, 5]);
    for (const build of report.builds) {
      assert.equal(build.outcome, 'complete');
      assert.equal(build.result, 'SUCCESS');
      assert.equal(build.nodeName, 'ci-jessie-wikimedia-1');
      assert.equal(build.label, 'ci-jessie-wikimedia');
      assert.equal(build.data?.manager, 'jenkins-sim');
      assert.ok(build.handle?.startsWith('H:'));
      assert.ok(build.startedAt, 'WORK_DATA marks the start');
      assert.ok(seen.some((job) => job.unique === build.uuid));
    }
  });

  test('a build waits, logging it, until its function is registered', async () => {
    const catalog: SubmitterJob[] = [{ job: 'late-job', label: 'ci-late' }];
    const { log, lines } = capturingLog();

    const submitter = runSubmitter({ gearman: gearmand, catalog, rate: 10, builds: 1, log });
    closers.push(() => submitter.stop());
    await sleep(1500);

    assert.equal(await functionStatus(gearmand.port, 'build:late-job'), undefined);
    assert.ok(lines.some((line) => String(line.msg).includes('not registered yet')));

    await executor('ci-late-1', ['late-job']);
    const report = await within(submitter.done, 5000, 'build after registration');

    assert.equal(report.completed, 1);
    assert.ok(report.builds[0]!.registrationWaitMs >= 1000);
    assert.ok(lines.some((line) => String(line.msg).includes('registered, submitting')));
  });

  test('builds start at the given rate', async () => {
    const catalog: SubmitterJob[] = [{ job: 'paced-job', label: 'ci-paced' }];
    await executor('ci-paced-1', ['paced-job']);
    const { log } = capturingLog();

    const startedAt = Date.now();
    const submitter = runSubmitter({ gearman: gearmand, catalog, rate: 10, builds: 4, log });
    closers.push(() => submitter.stop());
    const report = await within(submitter.done, 5000, 'four paced builds');

    assert.equal(report.completed, 4);
    assert.ok(Date.now() - startedAt >= 280, 'the fourth build starts 300 ms after the first');
    const queued = report.builds.map((build) => Date.parse(build.queuedAt)).sort();
    for (let i = 1; i < queued.length; i += 1) {
      assert.ok(queued[i]! - queued[i - 1]! >= 60, `gap ${queued[i]! - queued[i - 1]!} ms`);
    }
  });

  test('stop cancels builds still waiting and reports what was done', async () => {
    const catalog: SubmitterJob[] = [{ job: 'never-registered', label: 'ci-none' }];
    const { log } = capturingLog();

    const submitter = runSubmitter({
      gearman: gearmand,
      catalog,
      rate: 20,
      builds: Number.POSITIVE_INFINITY,
      log,
    });
    await sleep(300);
    const report = await within(submitter.stop(), 5000, 'stop');

    assert.equal(report.submitted, 0);
    assert.equal(report.completed, 0);
    assert.ok(report.builds.length >= 2, `${report.builds.length} builds`);
    assert.ok(report.builds.every((build) => build.outcome === 'cancelled'));
    assert.equal(await submitter.done, report);
  });

  test('a build whose worker sends WORK_FAIL is recorded as fail', async () => {
    const worker = new GearmanWorker({
      host: gearmand.host,
      port: gearmand.port,
      clientId: 'failing_exec-0',
    });
    closers.push(() => worker.close());
    worker.setHandler((job) => job.fail());
    worker.setFunctions(['build:failing-job']);
    await worker.start();
    const { log } = capturingLog();

    const submitter = runSubmitter({
      gearman: gearmand,
      catalog: [{ job: 'failing-job', label: 'ci-fail' }],
      rate: 10,
      builds: 1,
      log,
    });
    const report = await within(submitter.done, 5000, 'failed build');

    assert.equal(report.submitted, 1);
    assert.equal(report.completed, 0);
    assert.equal(report.builds[0]?.outcome, 'fail');
  });
});
