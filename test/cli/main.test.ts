import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';

import { writeTestPool, type TestPool } from '../support/pool-config.ts';
import { runCli, type CliRun } from './support.ts';

/** Wrong arguments: each gets commander's complaint, the command's usage, and status 2. */
const USAGE_CASES: { args: string[]; complaint: RegExp; usage: string }[] = [
  { args: ['hold'], complaint: /missing required argument 'id'/, usage: 'hold [options] <id>' },
  { args: ['hold', 'abc'], complaint: /a node id is a positive integer, got "abc"/, usage: 'hold' },
  { args: ['hold', '0'], complaint: /got "0"/, usage: 'hold [options] <id>' },
  { args: ['hold', '3', '--reason', ' '], complaint: /one line of text/, usage: 'hold' },
  { args: ['delete', '3', '--later'], complaint: /unknown option '--later'/, usage: 'delete' },
  { args: ['label-list', 'x'], complaint: /too many arguments/, usage: 'label-list [options]' },
  {
    args: ['alien-list', 'nosuch'],
    complaint: /provider 'nosuch' is not in the configuration \(it has: test-cloud\)/,
    usage: 'alien-list [options] [provider]',
  },
];

describe('the command line', () => {
  let pool: TestPool;
  const runs = new Map<string, CliRun>();

  before(async () => {
    const labels = [{ name: 'ci-jessie-wikimedia', minReady: 0 }];
    pool = await writeTestPool({ labels, maxServers: 1 });
    // One process per case, side by side: each spends its time starting up.
    await Promise.all(
      USAGE_CASES.map(async (c) => {
        runs.set(c.args.join(' '), await runCli(['-c', pool.configPath, ...c.args]));
      }),
    );
  });

  for (const c of USAGE_CASES) {
    it(`answers "${c.args.join(' ')}" with its usage and exit status 2`, () => {
      const run = runs.get(c.args.join(' '))!;
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, c.complaint);
      assert.ok(
        run.stderr.includes(`Usage: whiskpool ${c.usage}`),
        `usage of ${c.usage} in:\n${run.stderr}`,
      );
    });
  }
});

describe('a command on an invalid configuration', () => {
  it('names each problem once and exits 1', async () => {
    const labels = [{ name: 'ci-jessie-wikimedia', minReady: 0 }];
    const pool = await writeTestPool({ labels, maxServers: 1 });
    const text = readFileSync(pool.configPath, 'utf8');
    writeFileSync(pool.configPath, text.replace(/max-servers: \d+/, 'max-servers: six'));

    const run = await runCli(['-c', pool.configPath, 'list']);

    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      `whiskpool: configuration ${pool.configPath} is invalid (1 problem):\n` +
        '  providers[0].max-servers: must be a non-negative integer, got "six"\n',
    );
  });
});
