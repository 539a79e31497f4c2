import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { percentile, summarize } from '../../bench/stats.ts';

describe('bench percentiles', () => {
  const cases: { values: number[]; p: number; want: number | null }[] = [
    { values: [], p: 50, want: null },
    { values: [7], p: 99, want: 7 },
    { values: [3, 1, 2], p: 50, want: 2 },
    { values: [1, 2, 3, 4], p: 50, want: 2 },
    { values: Array.from({ length: 100 }, (_, i) => i + 1), p: 99, want: 99 },
    { values: Array.from({ length: 100 }, (_, i) => 100 - i), p: 99, want: 99 },
    { values: Array.from({ length: 200 }, (_, i) => i + 1), p: 99, want: 198 },
    { values: [5, 1000], p: 99, want: 1000 },
  ];
  for (const { values, p, want } of cases) {
    it(`take the nearest rank: p${p} of ${values.length} values is ${String(want)}`, () => {
      assert.equal(percentile(values, p), want);
    });
  }

  it('summarize counts, the median, p99, the largest and the mean', () => {
    assert.deepEqual(summarize([4, 1, 3, 2]), { count: 4, p50: 2, p99: 4, max: 4, mean: 2.5 });
    assert.deepEqual(summarize([]), { count: 0, p50: null, p99: null, max: null, mean: null });
  });
});
