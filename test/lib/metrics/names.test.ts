import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  deleteKey,
  jobPrefixes,
  launchKeys,
  LaunchResult,
  maxServersKey,
  metricPart,
  taskKey,
} from '../../../lib/metrics/index.ts';

describe("metric names, as Nodepool's dashboards read them", () => {
  const launches: [string, Parameters<typeof launchKeys>, string[]][] = [
    [
      'a ready launch in an availability zone',
      [
        { provider: 'wmflabs-eqiad', az: 'nova', image: 'ci-jessie-wikimedia', target: 'gallium' },
        LaunchResult.Ready,
      ],
      [
        'nodepool.launch.ready',
        'nodepool.launch.provider.wmflabs-eqiad.ready',
        'nodepool.launch.provider.wmflabs-eqiad.nova.ready',
        'nodepool.launch.image.ci-jessie-wikimedia.ready',
        'nodepool.launch.target.gallium.ready',
      ],
    ],
    [
      'a launch without a zone has no zone key',
      [
        { provider: 'p', az: null, image: 'i', target: 't' },
        LaunchResult.Auth,
      ],
      [
        'nodepool.launch.error.auth',
        'nodepool.launch.provider.p.error.auth',
        'nodepool.launch.image.i.error.auth',
        'nodepool.launch.target.t.error.auth',
      ],
    ],
  ];
  for (const [name, args, keys] of launches) {
    it(name, () => assert.deepEqual(launchKeys(...args), keys));
  }

  it('names every launch error as Nodepool did', () => {
    assert.deepEqual(Object.values(LaunchResult).sort(), [
      'error.auth',
      'error.network',
      'error.nodepool',
      'error.status',
      'error.unknown',
      'ready',
    ]);
  });

  const jobs: [string, Parameters<typeof jobPrefixes>[0], string[]][] = [
    [
      'a Zuul build has job, branch, label and provider levels',
      { job: 'gate-tempest-dsvm-full', branch: 'master', label: 'ubuntu-trusty', provider: 'rax' },
      [
        'nodepool.job.gate-tempest-dsvm-full',
        'nodepool.job.gate-tempest-dsvm-full.master',
        'nodepool.job.gate-tempest-dsvm-full.master.ubuntu-trusty',
        'nodepool.job.gate-tempest-dsvm-full.master.ubuntu-trusty.rax',
      ],
    ],
    [
      'a build without a branch is counted under its job only',
      { job: 'mediawiki-core-phpunit', label: 'l', provider: 'p' },
      ['nodepool.job.mediawiki-core-phpunit'],
    ],
  ];
  for (const [name, facts, prefixes] of jobs) {
    it(name, () => assert.deepEqual(jobPrefixes(facts), prefixes));
  }

  it('names deletes, API calls and max-servers', () => {
    assert.equal(
      deleteKey({ image: 'ci-jessie-wikimedia', provider: 'wmflabs-eqiad', target: 'gallium' }),
      'nodepool.delete.ci-jessie-wikimedia.wmflabs-eqiad.gallium',
    );
    assert.equal(
      taskKey('wmflabs-eqiad', 'CreateServerTask'),
      'nodepool.task.wmflabs-eqiad.CreateServerTask',
    );
    assert.equal(maxServersKey('rax-dfw'), 'nodepool.provider.rax-dfw.max_servers');
  });

  const parts: [string, string][] = [
    ['gallium.wikimedia.org', 'gallium.wikimedia.org'],
    ['feature/x y', 'feature/x_y'],
    ['a:b|c@d#e', 'a_b_c_d_e'],
  ];
  for (const [raw, safe] of parts) {
    it(`keeps "${raw}" as "${safe}" in a statsd line`, () => assert.equal(metricPart(raw), safe));
  }
});
