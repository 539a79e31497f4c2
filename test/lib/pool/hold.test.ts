import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Subject } from '../../../lib/events/subjects.ts';
import type { Node } from '../../../lib/node/node.ts';
import { getNode, insertRequestedNode, transitionNode } from '../../../lib/node/repository.ts';
import type { NodeState } from '../../../lib/node/states.ts';
import { deleteNode, finishBuild } from '../../../lib/pool/delete.ts';
import { expiredHolds, holdNode } from '../../../lib/pool/hold.ts';
import { offlineNode } from '../../../lib/pool/offline.ts';
import { reconcile } from '../../../lib/pool/reconcile.ts';
import { sweep } from '../../../lib/pool/sweep.ts';
import { startTestWorld, type TestWorld } from '../../support/pool-context.ts';

const MAX_HOLD_AGE = 3600;

describe('held nodes', () => {
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld(`max-hold-age: ${MAX_HOLD_AGE}\n`);
  });
  after(async () => world.close());

  async function heldNode(path: NodeState[] = ['building', 'booted', 'ready']): Promise<Node> {
    let node = await world.ctx.db.transaction((trx) =>
      insertRequestedNode(
        trx,
        { provider: 'test-cloud', label: 'ci-jessie-wikimedia', target: 'test-jenkins', az: null },
        world.ctx.now(),
        (id) => ({ hostname: `ci-jessie-wikimedia-${id}`, nodeName: `ci-jessie-wikimedia-${id}` }),
      ),
    );
    for (const state of path) {
      node = (await transitionNode(world.ctx.db, node, state, { now: world.ctx.now() }))!;
    }
    return holdNode(world.ctx, node.id, 'kept for a look');
  }

  async function stateOf(id: number) {
    return (await getNode(world.ctx.db, id))?.state;
  }

  const build = (nodeName: string, phase: 'started' | 'finalized') => ({
    phase,
    job: 'mediawiki-core-phpunit',
    number: 7,
    nodeName,
    status: phase === 'finalized' ? 'SUCCESS' : undefined,
    publisher: 'tcp://127.0.0.1:8888',
    at: world.ctx.now(),
  });

  it('stay held through the start and the end of a build', async () => {
    const node = await heldNode(['building', 'booted', 'ready', 'in-use']);
    await offlineNode(world.ctx, build(node.nodeName!, 'started'));
    const outcome = await finishBuild(world.ctx, build(node.nodeName!, 'finalized'));
    assert.equal(outcome.summary.outcome, 'held');
    assert.equal(await stateOf(node.id), 'hold');
    await deleteNode(world.ctx, node.id, 'operator');
  });

  it('are not deleted for any reason but an operator\'s or an expired hold', async () => {
    const node = await heldNode();
    for (const reason of ['used', 'failed', 'retry', 'requested', 'lost']) {
      const outcome = await deleteNode(world.ctx, node.id, reason);
      assert.equal(outcome.summary.outcome, 'held', reason);
    }
    assert.equal(await stateOf(node.id), 'hold');

    await deleteNode(world.ctx, node.id, 'operator');
    assert.equal(await stateOf(node.id), 'deleted');
  });

  it('are left alone by the sweep, however long they are held', async () => {
    const node = await heldNode(['building', 'booted', 'ready', 'in-use', 'used']);
    world.advance(24 * 3600 * 1000);
    const outcome = await sweep(world.ctx);
    assert.equal(await stateOf(node.id), 'hold');
    assert.deepEqual(
      outcome.events.filter((e) => (e.data as { nodeId?: number }).nodeId === node.id),
      [],
    );
    await deleteNode(world.ctx, node.id, 'operator');
  });

  it('are released by reconcile once max-hold-age has passed, and then deleted', async () => {
    const node = await heldNode();
    assert.deepEqual(await expiredHolds(world.ctx), []);

    world.advance(MAX_HOLD_AGE * 1000 - 1000);
    assert.deepEqual(await expiredHolds(world.ctx), [], 'not a second early');

    world.advance(1000);
    const outcome = await reconcile(world.ctx);
    const release = outcome.events.filter((e) => e.subject === Subject.NodeDelete);
    assert.deepEqual(release, [
      {
        subject: Subject.NodeDelete,
        data: { nodeId: node.id, reason: 'max-hold-age' },
        id: `delete-${node.id}-max-hold-age`,
      },
    ]);

    await deleteNode(world.ctx, node.id, 'max-hold-age');
    assert.equal(await stateOf(node.id), 'deleted');
  });
});

describe('held nodes without max-hold-age', () => {
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld();
  });
  after(async () => world.close());

  it('are never released by reconcile', async () => {
    const node = await world.ctx.db.transaction((trx) =>
      insertRequestedNode(
        trx,
        { provider: 'test-cloud', label: 'ci-jessie-wikimedia', target: 'test-jenkins', az: null },
        world.ctx.now(),
        (id) => ({ hostname: `ci-jessie-wikimedia-${id}`, nodeName: `ci-jessie-wikimedia-${id}` }),
      ),
    );
    let current = node;
    for (const state of ['building', 'booted', 'ready'] as const) {
      current = (await transitionNode(world.ctx.db, current, state))!;
    }
    await holdNode(world.ctx, node.id);
    world.advance(365 * 24 * 3600 * 1000);

    const outcome = await reconcile(world.ctx);
    assert.deepEqual(outcome.events.filter((e) => e.subject === Subject.NodeDelete), []);
    assert.equal((await getNode(world.ctx.db, node.id))?.state, 'hold');
  });
});
