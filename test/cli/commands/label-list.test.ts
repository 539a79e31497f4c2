import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { formatLabels, labelRows } from '../../../cli/commands/label-list.ts';
import { runCli, startCliWorld, type CliWorld } from '../support.ts';

describe('label-list', () => {
  let world: CliWorld;

  before(async () => {
    world = await startCliWorld();
    const nodes = [
      ['ci-jessie-wikimedia', 'ready'],
      ['ci-jessie-wikimedia', 'ready'],
      ['ci-jessie-wikimedia', 'requested'],
      ['ci-jessie-wikimedia', 'building'],
      ['ci-jessie-wikimedia', 'booted'],
      ['ci-jessie-wikimedia', 'in-use'],
      ['ci-jessie-wikimedia', 'used'],
      ['ci-jessie-wikimedia', 'deleted'],
      ['ci-jessie-wikimedia', 'hold'],
      ['ci-trusty-wikimedia', 'in-use'],
      ['ci-trusty-wikimedia', 'failed'],
    ] as const;
    for (const [label, state] of nodes) await world.insertNode({ label, state });
  });
  after(async () => world.close());

  it('counts ready, building and in-use nodes per configured label', async () => {
    const rows = await labelRows(world.session.config, world.session.db);
    assert.equal(
      formatLabels(rows, false),
      `
+---------------------+---------------------+-----------+------------+-------+----------+--------+
| Label               | Image               | Min Ready | Providers  | Ready | Building | In Use |
+---------------------+---------------------+-----------+------------+-------+----------+--------+
| ci-jessie-wikimedia | ci-jessie-wikimedia | 2         | test-cloud | 2     | 3        | 2      |
| ci-trusty-wikimedia | ci-trusty-wikimedia | 1         | test-cloud | 0     | 0        | 1      |
+---------------------+---------------------+-----------+------------+-------+----------+--------+
`.trim(),
    );
  });

  it('prints the same rows as JSON with --json', async () => {
    const rows = await labelRows(world.session.config, world.session.db);
    assert.deepEqual(JSON.parse(formatLabels(rows, true)), [
      {
        label: 'ci-jessie-wikimedia',
        image: 'ci-jessie-wikimedia',
        minReady: 2,
        providers: ['test-cloud'],
        ready: 2,
        building: 3,
        inUse: 2,
      },
      {
        label: 'ci-trusty-wikimedia',
        image: 'ci-trusty-wikimedia',
        minReady: 1,
        providers: ['test-cloud'],
        ready: 0,
        building: 0,
        inUse: 1,
      },
    ]);
  });

  it('runs as a command against the configured database', async () => {
    const run = await runCli(['-c', world.configPath, 'label-list', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as { label: string; ready: number }[];
    assert.deepEqual(rows.map((row) => [row.label, row.ready]), [
      ['ci-jessie-wikimedia', 2],
      ['ci-trusty-wikimedia', 0],
    ]);
  });
});
