import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { functionsFor, parseJobList } from '../../../sim/jenkins/catalog.ts';

describe('functionsFor', () => {
  const catalog = [
    { job: 'tox-jessie', label: 'ci-jessie' },
    { job: 'php55lint', label: 'ci-trusty' },
    { job: 'jsduck', label: 'ci-jessie' },
  ];
  const cases: Array<{ labels: string[]; expected: string[] }> = [
    {
      labels: ['ci-jessie'],
      expected: [
        'build:jsduck',
        'build:jsduck:ci-jessie',
        'build:tox-jessie',
        'build:tox-jessie:ci-jessie',
      ],
    },
    { labels: ['ci-trusty'], expected: ['build:php55lint', 'build:php55lint:ci-trusty'] },
    { labels: ['ci-precise'], expected: [] },
    { labels: [], expected: [] },
  ];

  for (const { labels, expected } of cases) {
    it(`registers ${expected.length} functions on a node labelled [${labels.join(' ')}]`, () => {
      assert.deepEqual([...functionsFor(catalog, labels).keys()].sort(), expected);
    });
  }

  it('maps each function back to its job', () => {
    const functions = functionsFor(catalog, ['ci-trusty']);
    assert.equal(functions.get('build:php55lint:ci-trusty'), 'php55lint');
    assert.equal(functions.get('build:php55lint'), 'php55lint');
  });
});

describe('parseJobList', () => {
  it('reads job=label pairs', () => {
    assert.deepEqual(parseJobList('tox-jessie=ci-jessie, php55lint=ci-trusty,'), [
      { job: 'tox-jessie', label: 'ci-jessie' },
      { job: 'php55lint', label: 'ci-trusty' },
    ]);
  });

  for (const bad of ['tox-jessie', '=ci-jessie', 'a=b=c', 'a=']) {
    it(`refuses '${bad}' naming the item`, () => {
      assert.throws(() => parseJobList(bad), new RegExp(`'${bad}' is not of the form job=label`));
    });
  }
});
