import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import ssh2 from 'ssh2';

import { newEd25519KeyPair } from '../../../lib/ssh/keys.ts';

describe('newEd25519KeyPair', () => {
  // About one raw ssh2 key in 256 is unreadable, so 2,000 pairs all but surely include the
  // case that has to be made again.
  it('makes only keys that ssh2 reads back, public and private alike', () => {
    for (let i = 0; i < 2000; i++) {
      const keys = newEd25519KeyPair();
      const parsed = ssh2.utils.parseKey(keys.private);
      assert.ok(!(parsed instanceof Error), `private key ${i}: ${String(parsed)}`);
      assert.match(keys.public, /^ssh-ed25519 \S+/);

      const again = ssh2.utils.parseKey(keys.public);
      assert.ok(!(again instanceof Error), `public key ${i}: ${String(again)}`);
      assert.deepEqual(again.getPublicSSH(), parsed.getPublicSSH());
    }
  });
});
