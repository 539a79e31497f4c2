import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { BuildMessage } from '../../../lib/events/messages.ts';
import { getNode, insertRequestedNode, transitionNode } from '../../../lib/node/repository.ts';
import { finishBuild } from '../../../lib/pool/delete.ts';
import { offlineNode } from '../../../lib/pool/offline.ts';
import { startTestWorld, type TestWorld } from '../../support/pool-context.ts';

describe('a build that ends as it starts', () => {
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld();
  });
  after(async () => world.close());

  async function readyNode() {
    let node = await world.ctx.db.transaction((trx) =>
      insertRequestedNode(
        trx,
        { provider: 'test-cloud', label: 'ci-jessie-wikimedia', target: 'test-jenkins', az: null },
        world.ctx.now(),
        (id) => ({ hostname: `ci-jessie-wikimedia-${id}`, nodeName: `ci-jessie-wikimedia-${id}` }),
      ),
    );
    for (const state of ['building', 'booted', 'ready'] as const) {
      node = (await transitionNode(world.ctx.db, node, state))!;
    }
    return node;
  }

  function event(nodeName: string, phase: BuildMessage['phase']): BuildMessage {
    return { phase, job: 'rake-jessie', number: 1, nodeName, offlineWhenComplete: true,
      publisher: 'test', status: 'SUCCESS', at: Date.now() };
  }

  it('still takes the node away when its start moved the node on first', async () => {
    for (let round = 0; round < 5; round++) {
      const node = await readyNode();
      const [, finished] = await Promise.all([
        offlineNode(world.ctx, event(node.nodeName!, 'started')),
        finishBuild(world.ctx, event(node.nodeName!, 'finalized')),
      ]);

      assert.equal(finished.summary.outcome, 'deleted', `round ${round}`);
      assert.equal((await getNode(world.ctx.db, node.id))?.state, 'deleted');
    }
  });

  it('leaves a held node to the operator', async () => {
    const node = await readyNode();
    const held = await transitionNode(world.ctx.db, node, 'hold');
    assert.ok(held);

    const finished = await finishBuild(world.ctx, event(node.nodeName!, 'finalized'));
    assert.equal(finished.summary.outcome, 'held');
    assert.equal((await getNode(world.ctx.db, node.id))?.state, 'hold');
  });
});
