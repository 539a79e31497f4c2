import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { parseStatus, type FunctionStatus } from '../../../lib/gearman/status.ts';

/** The sample's comment header is ours; the reply is every line after it. */
const SAMPLE = readFileSync(
  new URL('../../../../shared/data/events/gearman_admin_status_sample.txt', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => !line.startsWith('#'))
  .join('\n');

interface Case {
  name: string;
  reply: string;
  functions: [string, number, number, number][];
  problems: { level: 'warning' | 'error'; line?: number; mentions: string[] }[];
}

const cases: Case[] = [
  {
    name: 'the sample from nodepool fake gearman server parses cleanly',
    reply: SAMPLE,
    functions: [
      ['build:fake_job', 3, 0, 0],
      ['build:fake_job:devstack-precise', 0, 0, 0],
    ],
    problems: [],
  },
  {
    name: 'a server with no functions replies with the closing line only',
    reply: '.\n',
    functions: [],
    problems: [],
  },
  {
    name: 'fields are split on TAB only, so spaces stay in function names',
    reply: 'build:Run the tests:ci-jessie-wikimedia\t2\t1\t4\nbuild:a  b\t0\t0\t1\n.\n',
    functions: [
      ['build:Run the tests:ci-jessie-wikimedia', 2, 1, 4],
      ['build:a  b', 0, 0, 1],
    ],
    problems: [],
  },
  {
    name: 'a non-integer count becomes 0 with a warning naming the line',
    reply: 'build:ok\t1\t0\t1\nbuild:tox\tmany\t0\t2\nbuild:x\t1\t-1\t2.5\n.\n',
    functions: [
      ['build:ok', 1, 0, 1],
      ['build:tox', 0, 0, 2],
      ['build:x', 1, 0, 0],
    ],
    problems: [
      { level: 'warning', line: 2, mentions: ['line 2', 'build:tox', 'TOTAL', '"many"'] },
      { level: 'warning', line: 3, mentions: ['line 3', 'RUNNING', '"-1"'] },
      { level: 'warning', line: 3, mentions: ['line 3', 'WORKERS', '"2.5"'] },
    ],
  },
  {
    name: 'a reply cut before the closing line is an error, keeping what was read',
    reply: 'build:tox\t1\t0\t1\nbuild:pep8\t2\t0\t1\n',
    functions: [
      ['build:tox', 1, 0, 1],
      ['build:pep8', 2, 0, 1],
    ],
    problems: [{ level: 'error', mentions: ['closing "."'] }],
  },
  {
    name: 'an empty reply is an error',
    reply: '',
    functions: [],
    problems: [{ level: 'error', mentions: ['closing "."'] }],
  },
  {
    name: 'an empty line is skipped with a warning',
    reply: 'build:tox\t1\t0\t1\n\n.\n',
    functions: [['build:tox', 1, 0, 1]],
    problems: [{ level: 'warning', line: 2, mentions: ['line 2', 'empty'] }],
  },
  {
    name: 'a line with fewer than four fields is skipped with a warning',
    reply: 'build:tox 1 0 1\nbuild:pep8\t2\t0\t1\n.\n',
    functions: [['build:pep8', 2, 0, 1]],
    problems: [{ level: 'warning', line: 1, mentions: ['line 1', 'got 1', 'skipped'] }],
  },
  {
    name: 'extra fields are ignored with a warning',
    reply: 'build:tox\t1\t0\t1\textra\n.\n',
    functions: [['build:tox', 1, 0, 1]],
    problems: [{ level: 'warning', line: 1, mentions: ['got 5'] }],
  },
  {
    name: 'CRLF line ends are accepted',
    reply: 'build:tox\t1\t0\t1\r\n.\r\n',
    functions: [['build:tox', 1, 0, 1]],
    problems: [],
  },
  {
    name: 'text after the closing line is ignored with a warning',
    reply: 'build:tox\t1\t0\t1\n.\nbuild:late\t9\t0\t0\n',
    functions: [['build:tox', 1, 0, 1]],
    problems: [{ level: 'warning', line: 3, mentions: ['after the closing'] }],
  },
];

for (const c of cases) {
  test(`status: ${c.name}`, () => {
    const status = parseStatus(c.reply);

    const expected: FunctionStatus[] = c.functions.map(([name, total, running, workers]) => ({
      name,
      total,
      running,
      workers,
    }));
    assert.deepEqual(status.functions, expected);

    assert.equal(status.problems.length, c.problems.length, JSON.stringify(status.problems));
    c.problems.forEach((want, i) => {
      const got = status.problems[i]!;
      assert.equal(got.level, want.level);
      assert.equal(got.line, want.line);
      for (const text of want.mentions) assert.ok(got.message.includes(text), got.message);
    });
  });
}
