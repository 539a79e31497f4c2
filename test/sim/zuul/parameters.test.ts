import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buildParameters } from '../../../sim/zuul/parameters.ts';

const OPTIONS = { zuulUrl: 'http://zuul.openstack.org/p', voting: true };
const BASE_CHANGE = { project: 'p', pipeline: 'test', branch: 'master', change: 1, patchset: 1 };

test('parameters of the real 2013 cinder gate build are rebuilt the same way', () => {
  const change = {
    project: 'openstack/cinder',
    pipeline: 'gate',
    branch: 'master',
    change: 60105,
    patchset: 3,
  };
  const p = buildParameters('gate-tempest-dsvm-postgres-full', change, OPTIONS);

  assert.equal(p.ZUUL_PROJECT, 'openstack/cinder');
  assert.equal(p.ZUUL_PIPELINE, 'gate');
  assert.equal(p.ZUUL_URL, 'http://zuul.openstack.org/p');
  assert.equal(p.ZUUL_BRANCH, 'master');
  assert.equal(p.ZUUL_CHANGE, '60105');
  assert.equal(p.ZUUL_PATCHSET, '3');
  assert.equal(p.ZUUL_CHANGES, 'openstack/cinder:master:refs/changes/05/60105/3');
  assert.equal(p.ZUUL_CHANGE_IDS, '60105,3');
  assert.equal(p.BASE_LOG_PATH, '05/60105/3');
  const short = p.ZUUL_UUID?.slice(0, 7);
  assert.equal(p.LOG_PATH, `05/60105/3/gate/gate-tempest-dsvm-postgres-full/${short}`);
  assert.equal(p.OFFLINE_NODE_WHEN_COMPLETE, '1');
  assert.equal(p.ZUUL_VOTING, '1');
});

const formats: [key: string, pattern: RegExp][] = [
  ['ZUUL_UUID', /^[0-9a-f]{32}$/],
  ['ZUUL_REF', /^refs\/zuul\/master\/Z[0-9a-f]{32}$/],
  ['ZUUL_COMMIT', /^[0-9a-f]{40}$/],
];

for (const [key, pattern] of formats) {
  test(`${key} has Zuul's format and differs between builds`, () => {
    const change = { project: 'p', pipeline: 'test', branch: 'master', change: 1, patchset: 1 };
    const first = buildParameters('job', change, OPTIONS)[key] ?? '';
    const second = buildParameters('job', change, OPTIONS)[key] ?? '';

    assert.match(first, pattern);
    assert.notEqual(first, second);
  });
}

const shards: [change: number, base: string][] = [
  [7, '07/7/2'],
  [260001, '01/260001/2'],
  [260099, '99/260099/2'],
];

for (const [number, base] of shards) {
  test(`change ${number} logs under ${base}`, () => {
    const change = { ...BASE_CHANGE, change: number, patchset: 2 };

    assert.equal(buildParameters('job', change, OPTIONS).BASE_LOG_PATH, base);
  });
}

test('a non-voting job sends ZUUL_VOTING 0', () => {
  const change = { project: 'p', pipeline: 'test', branch: 'master', change: 1, patchset: 1 };
  assert.equal(buildParameters('job', change, { ...OPTIONS, voting: false }).ZUUL_VOTING, '0');
});
