import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadCatalog, wikimediaNodepoolLabels } from '../../../sim/catalog/index.ts';

test('the Wikimedia 2015 nodepool label is ci-jessie-wikimedia', () => {
  assert.deepEqual(wikimediaNodepoolLabels(), ['ci-jessie-wikimedia']);
});

test('ci-jessie-wikimedia gets the jobs JJB pins to it and the offline-when-complete ones', () => {
  const catalog = loadCatalog({ labels: ['ci-jessie-wikimedia'] });
  const byJob = new Map(catalog.map((entry) => [entry.job, entry]));

  assert.ok(catalog.length >= 5, `only ${catalog.length} jobs`);
  assert.ok(catalog.every((entry) => entry.label === 'ci-jessie-wikimedia'));
  assert.equal(byJob.get('tox-jessie')?.source, 'jjb-node');
  assert.equal(byJob.get('tox-jessie')?.node, 'ci-jessie-wikimedia');
  assert.equal(byJob.get('pywikibot-core-tox-nose34-jessie')?.source, 'jjb-node');
  assert.equal(byJob.get('rake-jessie')?.source, 'offline-when-complete');
  assert.equal(byJob.get('rake-jessie')?.node, undefined);
  for (const entry of catalog) {
    if (entry.node !== undefined) assert.equal(entry.node, 'ci-jessie-wikimedia', entry.job);
  }
  assert.equal(byJob.has('tox-flake8'), false, 'a Precise job is not a Jessie job');
});

test('ci-trusty-wikimedia, which no 2015 job names, gets the jobs of the Trusty slaves', () => {
  const catalog = loadCatalog({ labels: ['ci-trusty-wikimedia'] });
  const jobs = catalog.map((entry) => entry.job).sort();

  assert.deepEqual(jobs, [
    'mw-tools-releng-tox-doc-publish',
    'mw-tools-scap-tox-doc-publish',
    'pywikibot-core-tox-doc-publish',
  ]);
  for (const entry of catalog) {
    assert.equal(entry.source, 'distro');
    assert.equal(entry.node, 'contintLabsSlave && UbuntuTrusty');
  }
});

test('a label unknown to the 2015 files still gets several real layout jobs', () => {
  const catalog = loadCatalog({ labels: ['made-up-label'] });

  assert.equal(catalog.length, 8);
  assert.ok(catalog.every((entry) => entry.source === 'layout' && entry.runs.length > 0));
  assert.ok(catalog.some((entry) => entry.job === 'phplint'), 'the most run job comes first');
  assert.equal(loadCatalog({ labels: ['made-up-label'], sharedJobsPerLabel: 3 }).length, 3);
});

test('no job is given to two labels, and every requested label gets several jobs', () => {
  const labels = [
    'ci-jessie-wikimedia',
    'ci-trusty-wikimedia',
    'ci-precise-wikimedia',
    'bare-trusty',
    'devstack-trusty',
  ];
  const catalog = loadCatalog({ labels });

  const jobs = catalog.map((entry) => entry.job);
  assert.equal(new Set(jobs).size, jobs.length);
  for (const label of labels) {
    const count = catalog.filter((entry) => entry.label === label).length;
    assert.ok(count >= 3, `${label}: ${count} jobs`);
  }
  assert.deepEqual([...new Set(catalog.map((entry) => entry.label))], labels);
});

test('each job lists the projects and pipelines that run it, with their precedence', () => {
  const catalog = loadCatalog({ labels: ['ci-jessie-wikimedia'] });
  const dib = catalog.find((entry) => entry.job === 'integration-config-tox-dib-jessie');

  assert.deepEqual(dib?.runs, [
    { project: 'integration/config', pipeline: 'test', precedence: 'normal' },
    { project: 'integration/config', pipeline: 'gate-and-submit', precedence: 'high' },
  ]);
  const toxJessie = catalog.find((entry) => entry.job === 'tox-jessie');
  assert.ok((toxJessie?.runs.length ?? 0) > 50, 'tox-jessie runs for many projects');
});

test('voting comes from the layout jobs section', () => {
  const catalog = loadCatalog({ labels: ['ci-precise-wikimedia'] });
  const voting = Object.fromEntries(catalog.map((entry) => [entry.job, entry.voting]));

  assert.equal(voting['pywikibot-core-tox-flake8-docstrings'], false);
  assert.equal(voting['pywikibot-core-tox-nose'], true);
});

test('noop is never in the catalog, repeated labels count once, no labels give nothing', () => {
  const catalog = loadCatalog({ labels: ['a', 'a', 'b'] });

  assert.ok(!catalog.some((entry) => entry.job === 'noop'));
  assert.deepEqual([...new Set(catalog.map((entry) => entry.label))], ['a', 'b']);
  assert.deepEqual(loadCatalog({ labels: [] }), []);
});

test('callers changing an entry do not change the next catalog', () => {
  const first = loadCatalog({ labels: ['ci-jessie-wikimedia'] });
  first[0]!.runs.length = 0;

  const second = loadCatalog({ labels: ['ci-jessie-wikimedia'] });
  assert.ok(second[0]!.runs.length > 0);
});
