import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatChaos, runChaos } from '../../chaos/chaos.ts';
import { createLogger } from '../../lib/log.ts';

describe('the pool under fire', { timeout: 600_000 }, () => {
  it('runs every build once, on its own machine, while its parts are killed', async () => {
    const result = await runChaos({
      builds: 30,
      killEverySeconds: 3,
      log: createLogger({ name: 'chaos', level: 'warn' }),
    });
    const line = formatChaos(result);
    assert.ok(Object.values(result.kills).reduce((a, b) => a + b, 0) >= 2, `few kills: ${line}`);
    assert.equal(result.completed, result.builds, line);
    assert.deepEqual(
      [result.reused, result.leaked, result.orphaned, result.illegal, result.overQuota],
      [0, 0, 0, 0, 0],
      line,
    );
  });
});
