import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';

import { parseConfig } from '../../../lib/config/index.ts';
import { ErrorCode, isWhiskpoolError } from '../../../lib/errors.ts';
import { baseConfig } from './base-config.ts';

describe("a provider's no-network key", () => {
  const cases = [
    { given: undefined, expected: false },
    { given: true, expected: true },
    { given: false, expected: false },
  ];
  for (const { given, expected } of cases) {
    it(`reads ${String(given)} as ${String(expected)}`, () => {
      const raw = baseConfig();
      if (given !== undefined) raw.providers[0]['no-network'] = given;
      const { config } = parseConfig(stringify(raw), 'nodepool.yaml');
      assert.equal(config.providers[0]?.noNetwork, expected);
      assert.equal(config.providers[1]?.noNetwork, false);
    });
  }

  it('refuses a value that is not a boolean, naming the key', () => {
    const raw = baseConfig();
    raw.providers[0]['no-network'] = 'sometimes';
    assert.throws(() => parseConfig(stringify(raw), 'nodepool.yaml'), (error: unknown) =>
      isWhiskpoolError(error, ErrorCode.ConfigInvalid) && /no-network/.test(error.message));
  });
});
