import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { eventually, startTestGearmand, type TestGearmand } from './support.ts';
import { LABEL, startWorld, zuulParameters } from './world.ts';

let gearmand: TestGearmand;

before(async () => {
  gearmand = await startTestGearmand();
});

after(async () => {
  await gearmand.dispose();
});

describe('Jenkins stand-in build records', () => {
  it('stamp when onFinalized went out, after the build ended', async (t) => {
    const { addAgent, zuul, jenkins, job } = await startWorld(t, gearmand, 50);
    await addAgent('ci-jessie-final-1');

    const before = Date.now();
    await zuul.submit(`build:${job}:${LABEL}`, zuulParameters('uuid-final-1'), {
      unique: 'uuid-final-1',
    });

    const build = await eventually('the build to be finalized', () =>
      jenkins.builds().find((b) => b.unique === 'uuid-final-1' && b.finalizedAt !== undefined),
    );
    assert.ok(build.endedAt, 'the build ended');
    assert.ok(Date.parse(build.finalizedAt!) >= Date.parse(build.endedAt));
    assert.ok(Date.parse(build.finalizedAt!) >= before);
  });
});
