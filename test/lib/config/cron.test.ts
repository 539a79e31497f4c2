import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { checkCronSpec } from '../../../lib/config/cron.ts';

const CASES: [string, { pattern?: string; error?: string; warning?: boolean }][] = [
  ['14 2 * * *', { pattern: '14 2 * * *' }],
  ['*/1 * * * *', { pattern: '*/1 * * * *' }],
  ['  */15   * * * *  ', { pattern: '*/15 * * * *' }],
  ['* * * * * */10', { pattern: '*/10 * * * * *' }],
  ['14 2 * * mon', { pattern: '14 2 * * mon' }],
  ['14 2 * * 1', { pattern: '14 2 * * 1', warning: true }],
  ['14 2 * *', { error: 'must have 5 fields' }],
  ['0 0 * * * * *', { error: 'must have 5 fields' }],
  ['@hourly', { error: 'must have 5 fields' }],
  ['60 * * * *', { error: 'is not a valid cron spec' }],
  ['* 24 * * *', { error: 'is not a valid cron spec' }],
  ['* * * 13 *', { error: 'is not a valid cron spec' }],
  ['a b c d e', { error: 'is not a valid cron spec' }],
];

describe('cron specs', () => {
  for (const [spec, expected] of CASES) {
    const verdict = expected.error ? 'is refused' : `runs as ${expected.pattern}`;
    test(`${JSON.stringify(spec)} ${verdict}`, () => {
      const checked = checkCronSpec(spec);
      if (expected.error !== undefined) {
        assert.equal(checked.pattern, undefined);
        assert.ok(checked.error?.startsWith(expected.error), checked.error);
        return;
      }
      assert.equal(checked.pattern, expected.pattern);
      assert.equal(checked.warning !== undefined, expected.warning === true);
    });
  }
});
