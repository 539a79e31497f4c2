import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { snapshotKey } from '../../../bridges/gearman/bridge.ts';

const fn = (name: string, total: number, running: number) => ({ name, total, running, workers: 1 });
const message = { labels: { 'ci-jessie-wikimedia': 1 }, servers: ['127.0.0.1:4730'] };

describe('Gearman bridge snapshot news', () => {
  const cases = [
    {
      name: 'a build ending as another job of the label starts is news',
      before: [fn('build:rake-jessie:ci-jessie-wikimedia', 1, 1)],
      after: [fn('build:tox-jessie:ci-jessie-wikimedia', 1, 1)],
      news: true,
    },
    {
      name: 'a queued build starting is news',
      before: [fn('build:rake-jessie:ci-jessie-wikimedia', 1, 0)],
      after: [fn('build:rake-jessie:ci-jessie-wikimedia', 1, 1)],
      news: true,
    },
    {
      name: 'the same counts in another order are not news',
      before: [fn('build:a:ci-jessie-wikimedia', 1, 1), fn('build:b:ci-jessie-wikimedia', 2, 0)],
      after: [fn('build:b:ci-jessie-wikimedia', 2, 0), fn('build:a:ci-jessie-wikimedia', 1, 1)],
      news: false,
    },
    {
      name: 'functions with nothing queued or running are not news',
      before: [fn('build:rake-jessie:ci-jessie-wikimedia', 1, 1)],
      after: [fn('build:rake-jessie:ci-jessie-wikimedia', 1, 1), fn('build:idle', 0, 0)],
      news: false,
    },
    {
      name: 'functions that are not builds are not news',
      before: [fn('build:rake-jessie:ci-jessie-wikimedia', 1, 1)],
      after: [
        fn('build:rake-jessie:ci-jessie-wikimedia', 1, 1),
        fn('set_description:gallium', 3, 1),
      ],
      news: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = snapshotKey([{ functions: c.before }], message);
      const after = snapshotKey([{ functions: c.after }], message);
      assert.equal(before !== after, c.news);
    });
  }

  it('changed label totals are news whatever the functions say', () => {
    const functions = [{ functions: [fn('build:rake-jessie:ci-jessie-wikimedia', 1, 1)] }];
    const more = { ...message, labels: { 'ci-jessie-wikimedia': 2 } };
    assert.notEqual(snapshotKey(functions, message), snapshotKey(functions, more));
  });
});
