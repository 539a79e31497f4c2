import { test } from 'node:test';
import assert from 'node:assert/strict';

import { spreadOverTargets } from '../../../lib/allocation/targets.ts';

const cases: Array<{ name: string; count: number; current: number[]; expected: number[] }> = [
  {
    name: 'new nodes are spread evenly over empty targets, the odd one to the first',
    count: 3,
    current: [0, 0],
    expected: [2, 1],
  },
  {
    name: 'a target that already has more of the label gets fewer new nodes',
    count: 4,
    current: [2, 0],
    expected: [1, 3],
  },
  {
    name: 'a target already at its share gets none',
    count: 3,
    current: [3, 0],
    expected: [0, 3],
  },
  {
    name: 'three targets are evened out from the first one on',
    count: 2,
    current: [1, 0, 0],
    expected: [0, 1, 1],
  },
  {
    name: 'a target far behind takes all new nodes',
    count: 5,
    current: [0, 10],
    expected: [5, 0],
  },
  {
    name: 'a single target takes every new node',
    count: 4,
    current: [7],
    expected: [4],
  },
  {
    name: 'nothing to place places nothing',
    count: 0,
    current: [1, 0],
    expected: [0, 0],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const targets = c.current.map((_, i) => `jenkins${i + 1}`);
    const current = new Map(targets.map((t, i) => [t, c.current[i] ?? 0]));

    const placed = spreadOverTargets(c.count, targets, current);

    assert.deepEqual(
      placed.map((p) => p.count),
      c.expected,
    );
    assert.deepEqual(
      targets.map((t) => current.get(t)),
      c.current.map((n, i) => n + (c.expected[i] ?? 0)),
    );
  });
}
