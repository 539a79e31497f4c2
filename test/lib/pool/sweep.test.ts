import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { serverMetadata } from '../../../lib/cloud/metadata.ts';
import type { Node } from '../../../lib/node/node.ts';
import {
  getNode,
  insertRequestedNode,
  listTransitions,
  touchNode,
  transitionNode,
  updateNode,
} from '../../../lib/node/repository.ts';
import type { NodeState } from '../../../lib/node/states.ts';
import { sweep } from '../../../lib/pool/sweep.ts';
import { startTestWorld, type TestWorld } from '../../support/pool-context.ts';

describe('the sweep', () => {
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld();
  });
  after(async () => world.close());

  async function createServer(poolId: string, nodeId: string) {
    const { id } = await world.cloud.createServer({
      name: `server-${nodeId}`,
      imageId: (await world.cloud.findImage('ci-jessie-wikimedia'))!.id,
      flavorId: (await world.cloud.listFlavors())[0]!.id,
      metadata: serverMetadata({
        poolId,
        nodeId,
        provider: 'test-cloud',
        label: 'ci-jessie-wikimedia',
        imageName: 'ci-jessie-wikimedia',
      }),
    });
    return id;
  }

  async function nodeIn(path: NodeState[]): Promise<Node> {
    let node = await world.ctx.db.transaction((trx) =>
      insertRequestedNode(
        trx,
        { provider: 'test-cloud', label: 'ci-jessie-wikimedia', target: 'test-jenkins', az: null },
        world.ctx.now(),
        (id) => ({ hostname: `ci-jessie-wikimedia-${id}`, nodeName: `ci-jessie-wikimedia-${id}` }),
      ),
    );
    for (const state of path) node = (await transitionNode(world.ctx.db, node, state))!;
    return node;
  }

  async function serverExists(id: string) {
    return (await world.cloud.getServer(id)) !== null;
  }

  it('deletes a leaked server on the second sweep that sees it, not the first', async () => {
    const server = await createServer('whiskpool-test', '424242');
    await sweep(world.ctx);
    assert.equal(await serverExists(server), true, 'a single sighting is not enough');
    await sweep(world.ctx);
    assert.equal(await serverExists(server), false);
  });

  it('never touches a server of another pool', async () => {
    const server = await createServer('someone-else', '424243');
    await sweep(world.ctx);
    await sweep(world.ctx);
    assert.equal(await serverExists(server), true);
    await world.cloud.deleteServer(server);
  });

  it('leaves alone a server whose node is still being launched', async () => {
    const node = await nodeIn(['building']);
    const server = await createServer('whiskpool-test', String(node.id));
    await sweep(world.ctx);
    await sweep(world.ctx);
    assert.equal(await serverExists(server), true);
    await world.cloud.deleteServer(server);
  });

  it("removes an agent named like the pool's nodes that no node owns, keeps others", async () => {
    for (const name of ['ci-jessie-wikimedia-9001', 'static-builder']) {
      await world.jenkins.createNode({
        name,
        description: 'test',
        labels: ['ci-jessie-wikimedia'],
        remoteFs: '/home/jenkins',
        host: '127.0.0.1',
        port: 1,
      });
    }
    const outcome = await sweep(world.ctx);
    assert.equal(outcome.summary['orphaned-agents'], 1);
    assert.equal(await world.jenkins.getNode('ci-jessie-wikimedia-9001'), null);
    assert.notEqual(await world.jenkins.getNode('static-builder'), null);
  });

  it('finds a ready node whose build ended without any event, and deletes it', async () => {
    let node = await nodeIn(['building', 'booted', 'ready']);
    const server = await createServer('whiskpool-test', String(node.id));
    node = (await updateNode(world.ctx.db, node, { externalId: server }))!;
    await world.jenkins.createNode({
      name: node.nodeName!,
      description: 'test',
      labels: ['ci-jessie-wikimedia'],
      remoteFs: '/home/jenkins',
      host: '127.0.0.1',
      port: 1,
    });
    // What the Gearman plugin does after a build with OFFLINE_NODE_WHEN_COMPLETE.
    await world.jenkins.setOffline(node.nodeName!, 'Offline due to Gearman request');

    const outcome = await sweep(world.ctx);
    assert.equal(outcome.summary['lost-builds'], 1);
    const states = (await listTransitions(world.ctx.db, node.id)).map((t) => t.to);
    assert.ok(states.includes('used'), `went ${states.join(' -> ')}`);
    assert.ok(states.includes('deleting'));
    assert.equal(await world.jenkins.getNode(node.nodeName!), null);
  });

  it('leaves alone a node whose steps are still looking at it', async () => {
    const node = await nodeIn(['building']);
    world.advance(25_000);
    await touchNode(world.ctx.db, node.id, world.ctx.now());
    world.advance(5_000);
    const outcome = await sweep(world.ctx);
    assert.ok(!outcome.events.some((e) => (e.data as { nodeId?: number }).nodeId === node.id));
  });

  it('resends the step of a node that stalled, and fails it once past its timeout', async () => {
    const node = await nodeIn([]);
    world.advance(61_000);
    const resent = await sweep(world.ctx);
    assert.ok(resent.events.some((e) => e.subject === 'whiskpool.node.spawn'));
    assert.equal((await getNode(world.ctx.db, node.id))?.state, 'requested');

    world.advance(world.ctx.config.timeouts.building * 1000);
    const expired = await sweep(world.ctx);
    assert.equal((await getNode(world.ctx.db, node.id))?.state, 'failed');
    assert.ok(expired.events.some((e) => e.subject === 'whiskpool.node.delete'));
  });
});
