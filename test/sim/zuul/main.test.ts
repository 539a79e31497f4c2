import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { loadCatalog } from '../../../sim/catalog/index.ts';
import { GearmanWorker } from '../../../sim/gearman/index.ts';
import { eventually, startTestGearmand, within, type TestGearmand } from '../gearman/helpers.ts';

const MAIN = fileURLToPath(new URL('../../../sim/zuul/main.ts', import.meta.url));

function startMain(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WHISKPOOL_LOG_LEVEL: 'info' },
  });
  const lines: Record<string, unknown>[] = [];
  let logs = '';
  child.stderr.on('data', (chunk: Buffer) => {
    logs += chunk.toString('utf8');
  });
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  return { child, lines, exited, logs: () => logs };
}

describe('sim/zuul/main.ts', () => {
  let gearmand: TestGearmand;
  let worker: GearmanWorker;

  before(async () => {
    gearmand = await startTestGearmand();
    worker = new GearmanWorker({ host: gearmand.host, port: gearmand.port, clientId: 'n_exec-0' });
    worker.setHandler((job) =>
      job.complete(JSON.stringify({ name: job.functionName, number: 1, result: 'SUCCESS' })),
    );
    const jobs = loadCatalog({ labels: ['ci-trusty-wikimedia'] }).map((entry) => entry.job);
    worker.setFunctions(jobs.map((job) => `build:${job}`));
    await worker.start();
  });

  after(async () => {
    await worker.close();
    await gearmand.dispose();
  });

  test('prints a line per finished build and a summary, then exits by itself', async () => {
    const run = startMain([
      '--gearman',
      `127.0.0.1:${gearmand.port}`,
      '--rate',
      '20',
      '--builds',
      '3',
      '--labels',
      'ci-trusty-wikimedia',
    ]);

    const [code] = await within(run.exited, 20_000, 'exit');

    assert.equal(code, 0);
    assert.equal(run.lines.length, 4);
    for (const line of run.lines.slice(0, 3)) {
      const build = line.build as Record<string, unknown>;
      assert.equal(build.outcome, 'complete');
      assert.equal(build.result, 'SUCCESS');
      assert.equal(build.label, 'ci-trusty-wikimedia');
    }
    assert.deepEqual(run.lines[3], {
      summary: { submitted: 3, completed: 3, outcomes: { complete: 3 } },
    });
  });

  test('SIGTERM stops a run without end and still prints the summary', async () => {
    const run = startMain([
      '--gearman',
      `127.0.0.1:${gearmand.port}`,
      '--rate',
      '5',
      '--builds',
      'inf',
      '--labels',
      'label-nobody-serves',
    ]);
    await eventually(
      () => run.logs().includes('function not registered yet, waiting'),
      20_000,
      'the submitter waits for registration',
    );

    run.child.kill('SIGTERM');
    const [code] = await within(run.exited, 10_000, 'exit after SIGTERM');

    assert.equal(code, 0);
    const summary = run.lines.at(-1)?.summary as Record<string, unknown> | undefined;
    assert.ok(summary, JSON.stringify(run.lines));
    assert.equal(summary.submitted, 0);
    assert.ok(((summary.outcomes as Record<string, number>).cancelled ?? 0) >= 1);
  });

  test('a bad --gearman value is refused', async () => {
    const run = startMain(['--gearman', 'nowhere', '--builds', '1']);
    const [code] = await within(run.exited, 20_000, 'exit');

    assert.notEqual(code, 0);
    assert.equal(run.lines.length, 0);
  });
});
