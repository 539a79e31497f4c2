import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityV3Url } from '../../../../lib/cloud/index.ts';

describe('identityV3Url', () => {
  const cases = [
    ['http://keystone:35357/v2.0/', 'http://keystone:35357/v3'],
    ['http://keystone:35357/v2.0', 'http://keystone:35357/v3'],
    ['https://keystone.example.org:5000/v3', 'https://keystone.example.org:5000/v3'],
    ['https://keystone.example.org:5000/v3/', 'https://keystone.example.org:5000/v3'],
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5000/v3'],
    ['http://127.0.0.1:5000/', 'http://127.0.0.1:5000/v3'],
    ['http://cloud.example.org/identity', 'http://cloud.example.org/identity/v3'],
    ['http://cloud.example.org/identity/v2.0/', 'http://cloud.example.org/identity/v3'],
    ['http://cloud.example.org/identity/v3?x=1', 'http://cloud.example.org/identity/v3'],
  ] as const;

  for (const [given, expected] of cases) {
    it(`maps ${given} to ${expected}`, () => {
      assert.equal(identityV3Url(given), expected);
    });
  }
});
