import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { BuildMessage } from '../../../lib/events/messages.ts';
import { getNode, insertRequestedNode, transitionNode } from '../../../lib/node/repository.ts';
import { offlineNode } from '../../../lib/pool/offline.ts';
import { startTestWorld, type TestWorld } from '../../support/pool-context.ts';

describe('a build starting on a node', () => {
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
    await world.jenkins.createNode({
      name: node.nodeName!,
      description: 'test',
      labels: ['ci-jessie-wikimedia'],
      remoteFs: '/home/jenkins',
      host: '127.0.0.1',
      port: 1,
    });
    return node;
  }

  function started(nodeName: string, offlineWhenComplete: boolean): BuildMessage {
    const at = Date.now();
    return { phase: 'started', job: 'rake-jessie', number: 1, nodeName, offlineWhenComplete,
      publisher: 'test', at };
  }

  it('takes the agent of a build without OFFLINE_NODE_WHEN_COMPLETE offline', async () => {
    const node = await readyNode();
    const outcome = await offlineNode(world.ctx, started(node.nodeName!, false));
    assert.equal(outcome.summary.offline, 'offlined');
    assert.equal((await getNode(world.ctx.db, node.id))?.state, 'in-use');
    assert.equal((await world.jenkins.getNode(node.nodeName!))?.temporarilyOffline, true);
  });

  it("leaves a flagged build's agent to the Gearman plugin, never toggling it", async () => {
    const node = await readyNode();
    const outcome = await offlineNode(world.ctx, started(node.nodeName!, true));
    assert.equal(outcome.summary.offline, 'left-to-gearman-plugin');
    assert.equal((await getNode(world.ctx.db, node.id))?.state, 'in-use');
    assert.equal((await world.jenkins.getNode(node.nodeName!))?.temporarilyOffline, false);
  });

  it('marks the node in use even when only the completion event arrives', async () => {
    const node = await readyNode();
    await offlineNode(world.ctx, { ...started(node.nodeName!, true), phase: 'completed' });
    assert.equal((await getNode(world.ctx.db, node.id))?.state, 'in-use');
  });

  it('ignores a build on an agent the pool does not know', async () => {
    const outcome = await offlineNode(world.ctx, started('someone-elses-agent', false));
    assert.equal(outcome.summary.outcome, 'unknown-node');
  });
});
