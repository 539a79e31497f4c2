import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  jobParameterFunction,
  jobVoting,
  parseZuulLayout,
} from '../../../sim/catalog/zuul-layout.ts';

const LAYOUT = `
pipelines:
  - name: check
    manager: IndependentPipelineManager
  - name: gate
    manager: DependentPipelineManager
    precedence: high
  - name: periodic
    precedence: low

jobs:
  - name: ^.*-jessie$
    parameter-function: offline_when_complete
  - name: ^tox-.*$
    voting: false
  - name: tox-lint-jessie
    voting: true

project-templates:
  - name: ext
    check:
      - 'mwext-{name}-test'
      - '{vendor}-lint'

projects:
  - name: mediawiki/extensions/Cite
    template:
      - name: ext
        vendor: acme
    check:
      - noop
      - tox-lint-jessie
    gate:
      - build-jessie:
          - tox-after-build
          - deploy:
              - smoke
    unknown-pipeline:
      - ignored
`;

const layout = parseZuulLayout(LAYOUT);

test('pipelines keep their precedence, normal by default', () => {
  assert.deepEqual(Object.fromEntries(layout.pipelines), {
    check: 'normal',
    gate: 'high',
    periodic: 'low',
  });
});

test('templates expand {name} to the short project name and their other parameters', () => {
  assert.deepEqual(layout.runs.get('mwext-Cite-test'), [
    { project: 'mediawiki/extensions/Cite', pipeline: 'check', precedence: 'normal' },
  ]);
  assert.ok(layout.runs.has('acme-lint'));
});

test('dependent jobs in a job tree are jobs too; noop and unknown pipelines are left out', () => {
  assert.deepEqual([...layout.runs.keys()].sort(), [
    'acme-lint',
    'build-jessie',
    'deploy',
    'mwext-Cite-test',
    'smoke',
    'tox-after-build',
    'tox-lint-jessie',
  ]);
  assert.equal(layout.runs.get('smoke')?.[0]?.precedence, 'high');
});

const settings: [job: string, voting: boolean, parameterFunction: string | undefined][] = [
  ['build-jessie', true, 'offline_when_complete'],
  ['tox-after-build', false, undefined],
  ['tox-lint-jessie', true, 'offline_when_complete'],
  ['jessie', true, undefined],
  ['smoke', true, undefined],
];

for (const [job, voting, parameterFunction] of settings) {
  test(`job settings: ${job} votes ${voting}, parameter function ${parameterFunction}`, () => {
    assert.equal(jobVoting(layout, job), voting);
    assert.equal(jobParameterFunction(layout, job), parameterFunction);
  });
}
