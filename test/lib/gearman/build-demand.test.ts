import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buildDemand } from '../../../lib/gearman/build-demand.ts';
import type { FunctionStatus } from '../../../lib/gearman/status.ts';

type Line = [name: string, total: number, running?: number];

interface Case {
  name: string;
  servers: Line[][];
  demand: Record<string, number>;
  jobLabels: Record<string, string[]>;
}

const cases: Case[] = [
  {
    name: 'functions not named build: are ignored',
    servers: [[['stop:gallium', 3], ['set_description:gallium', 2], ['merger:merge', 7]]],
    demand: {},
    jobLabels: {},
  },
  {
    name: 'build:JOB:LABEL counts TOTAL for the label, running builds included',
    servers: [[['build:tox-py27:ci-jessie-wikimedia', 5, 2]]],
    demand: { 'ci-jessie-wikimedia': 5 },
    jobLabels: { 'tox-py27': ['ci-jessie-wikimedia'] },
  },
  {
    name: 'a label with nothing waiting is remembered for the job but has no demand',
    servers: [[['build:tox-py27:ci-jessie-wikimedia', 0]]],
    demand: {},
    jobLabels: { 'tox-py27': ['ci-jessie-wikimedia'] },
  },
  {
    name: 'build:JOB waiting builds go to the first label seen for the job',
    servers: [
      [
        ['build:tox-flake8', 4, 1],
        ['build:tox-flake8:UbuntuPrecise', 0],
        ['build:tox-flake8:contintLabsSlave', 1],
      ],
    ],
    demand: { UbuntuPrecise: 4, contintLabsSlave: 1 },
    jobLabels: { 'tox-flake8': ['UbuntuPrecise', 'contintLabsSlave'] },
  },
  {
    name: 'an unlabelled job that no labelled function names gives no demand',
    servers: [[['build:integration-config-qunit', 6], ['build:tox-py27:trusty', 0]]],
    demand: {},
    jobLabels: { 'tox-py27': ['trusty'] },
  },
  {
    name: 'the job and label are the last two parts, so names with ":" mis-parse as in Nodepool',
    servers: [[['build:ns:tox:bare-trusty', 2], ['build:tox', 1]]],
    demand: { 'bare-trusty': 3 },
    jobLabels: { tox: ['bare-trusty'] },
  },
  {
    name: 'spaces in job and label names are kept',
    servers: [[['build:Run tests:ci jessie', 2], ['build:Run tests', 1]]],
    demand: { 'ci jessie': 3 },
    jobLabels: { 'Run tests': ['ci jessie'] },
  },
  {
    name: 'several jobs of one label add up',
    servers: [[['build:a:trusty', 1], ['build:b:trusty', 2], ['build:c:precise', 3]]],
    demand: { trusty: 3, precise: 3 },
    jobLabels: { a: ['trusty'], b: ['trusty'], c: ['precise'] },
  },
  {
    name: 'over several servers, an unlabelled job takes the first label from any server',
    servers: [
      [['build:tox', 2], ['build:pep8:precise', 1]],
      [
        ['build:tox:trusty', 0],
        ['build:tox:precise', 1],
        ['build:tox', 3],
        ['build:pep8:precise', 4],
      ],
    ],
    demand: { trusty: 5, precise: 6 },
    jobLabels: { tox: ['trusty', 'precise'], pep8: ['precise'] },
  },
  {
    name: 'a label listed by two servers is remembered once and counted from both',
    servers: [[['build:tox:trusty', 1]], [['build:tox:trusty', 2]]],
    demand: { trusty: 3 },
    jobLabels: { tox: ['trusty'] },
  },
  {
    name: 'empty job or label parts are not build functions',
    servers: [[['build:', 1], ['build:tox:', 2], ['build::trusty', 3]]],
    demand: {},
    jobLabels: {},
  },
];

function server(lines: Line[]): { functions: FunctionStatus[] } {
  return {
    functions: lines.map(([name, total, running = 0]) => ({ name, total, running, workers: 1 })),
  };
}

for (const c of cases) {
  test(`build demand: ${c.name}`, () => {
    const result = buildDemand(c.servers.map(server));

    assert.deepEqual(Object.fromEntries(result.demand), c.demand);
    assert.deepEqual(Object.fromEntries(result.jobLabels), c.jobLabels);
  });
}

test('build demand: no servers means no demand', () => {
  const result = buildDemand([]);

  assert.equal(result.demand.size, 0);
  assert.equal(result.jobLabels.size, 0);
});
