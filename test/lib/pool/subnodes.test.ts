import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { MetadataKey } from '../../../lib/cloud/metadata.ts';
import { Subject } from '../../../lib/events/subjects.ts';
import { getNode, insertRequestedNode } from '../../../lib/node/repository.ts';
import { liveSubnodes } from '../../../lib/node/subnode.ts';
import type { StepOutcome } from '../../../lib/pool/context.ts';
import { deleteNode } from '../../../lib/pool/delete.ts';
import { readyCheckNode } from '../../../lib/pool/ready-check.ts';
import { registerNode } from '../../../lib/pool/register.ts';
import { spawnNode } from '../../../lib/pool/spawn.ts';
import { SubnodeKey } from '../../../lib/pool/subnodes.ts';
import { sweep } from '../../../lib/pool/sweep.ts';
import { newEd25519KeyPair } from '../../../lib/ssh/keys.ts';
import { startTestWorld, type TestWorld } from '../../support/pool-context.ts';

const SUBNODES = 2;

describe('multi-machine sets (label subnodes)', () => {
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld();
    world.ctx.config.labels[0]!.subnodes = SUBNODES;
    const image = world.ctx.config.providers[0]!.images[0]!;
    writeFileSync(image.privateKey, newEd25519KeyPair().private);
  });
  after(async () => world.close());

  async function requestNode() {
    return world.ctx.db.transaction((trx) =>
      insertRequestedNode(
        trx,
        { provider: 'test-cloud', label: 'ci-jessie-wikimedia', target: 'test-jenkins', az: null },
        world.ctx.now(),
        (id) => ({ hostname: `ci-jessie-wikimedia-${id}`, nodeName: `ci-jessie-wikimedia-${id}` }),
      ),
    );
  }

  /** Runs a step again as the dispatcher would, until it asks for nothing more. */
  async function settle(step: () => Promise<StepOutcome>): Promise<StepOutcome> {
    for (let i = 0; i < 400; i++) {
      const outcome = await step();
      if (outcome.retryAfterMs === undefined) return outcome;
      await sleep(Math.min(outcome.retryAfterMs, 100));
    }
    throw new Error('the step never settled');
  }

  /** Spawn, then ready-check until it hands the node to register, following relaunches. */
  async function launch(nodeId: number) {
    for (let attempt = 0; attempt < 5; attempt++) {
      await spawnNode(world.ctx, nodeId);
      const outcome = await settle(() => readyCheckNode(world.ctx, nodeId));
      if (outcome.events.some((e) => e.subject === Subject.NodeRegister)) return;
      assert.equal(outcome.summary.outcome, 'relaunched', JSON.stringify(outcome.summary));
    }
    throw new Error(`node ${nodeId} never became reachable`);
  }

  async function servers() {
    return world.cloud.listServers();
  }

  it('boots each primary with its subnodes, which it waits for', async () => {
    const node = await requestNode();
    await launch(node.id);

    const subnodes = await liveSubnodes(world.ctx.db, node.id);
    assert.deepEqual(subnodes.map((s) => [s.position, s.state]), [[1, 'ready'], [2, 'ready']]);
    const byId = new Map((await servers()).map((server) => [server.id, server]));
    for (const subnode of subnodes) {
      const server = byId.get(subnode.externalId!);
      assert.equal(server?.status, 'ACTIVE');
      assert.equal(server?.name, `ci-jessie-wikimedia-test-cloud-${node.id}-${subnode.id}`);
      assert.equal(server?.metadata[SubnodeKey.Of], String(node.id));
      assert.equal(server?.metadata[MetadataKey.NodeId], undefined, 'never taken for a primary');
    }
  });

  it('registers only the primary in Jenkins', async () => {
    const [node] = await world.ctx.db('nodes').where({ state: 'booted' });
    await registerNode(world.ctx, (node as { id: number }).id);
    const primary = await getNode(world.ctx.db, (node as { id: number }).id);
    assert.equal(primary?.state, 'ready');
    assert.ok(world.jenkinsSim.computer(primary!.nodeName!), 'the primary is an agent');
    for (const subnode of await liveSubnodes(world.ctx.db, primary!.id)) {
      assert.equal(world.jenkinsSim.computer(subnode.hostname!), undefined);
    }
  });

  it('leaves the servers of live subnodes to the leak sweep', async () => {
    const before = (await servers()).length;
    await sweep(world.ctx);
    await sweep(world.ctx);
    assert.equal((await servers()).length, before);
    assert.equal(before, 1 + SUBNODES);
  });

  it('deletes the subnodes with their primary, and only then is the node deleted', async () => {
    const [row] = await world.ctx.db('nodes').where({ state: 'ready' });
    const id = (row as { id: number }).id;
    const outcome = await settle(() => deleteNode(world.ctx, id, 'used'));
    assert.equal(outcome.summary.outcome, 'deleted');
    assert.deepEqual(await servers(), []);
    assert.deepEqual(await liveSubnodes(world.ctx.db, id), []);
  });

  it('boots a subnode again when its server fails, within the launch retries', async () => {
    const node = await requestNode();
    await spawnNode(world.ctx, node.id);
    world.openstack.failBoots({ count: 1 });
    const first = await settle(() => readyCheckNode(world.ctx, node.id));
    assert.equal(first.summary.outcome, 'relaunched');
    assert.match(String(first.summary.reason), /subnode \d .*ERROR/);

    await launch(node.id);
    const subnodes = await liveSubnodes(world.ctx.db, node.id);
    assert.deepEqual(subnodes.map((s) => s.state), ['ready', 'ready']);
    await settle(() => deleteNode(world.ctx, node.id, 'failed'));
    await waitForNoServers();
  });

  it('deletes a leaked subnode server on the second sweep that sees it', async () => {
    const image = (await world.cloud.findImage('ci-jessie-wikimedia'))!;
    const flavor = (await world.cloud.listFlavors())[0]!;
    const { id } = await world.cloud.createServer({
      name: 'leaked-subnode',
      imageId: image.id,
      flavorId: flavor.id,
      metadata: {
        [MetadataKey.Pool]: 'whiskpool-test',
        [SubnodeKey.Of]: '9999',
        [SubnodeKey.Id]: '9999',
      },
    });
    await sweep(world.ctx);
    assert.ok(await world.cloud.getServer(id));
    await sweep(world.ctx);
    assert.equal(await world.cloud.getServer(id), null);
  });

  async function waitForNoServers() {
    for (let i = 0; i < 100 && (await servers()).length > 0; i++) await sleep(50);
    assert.deepEqual(await servers(), []);
  }

  it("tells every machine of the set about the others in Nodepool's /etc/nodepool files",
    async (t) => {
      const label = world.ctx.config.labels[0] as { readyScript?: string };
      label.readyScript = 'ready.sh';
      t.after(() => delete label.readyScript);
      const node = await requestNode();
      await launch(node.id);

      const primary = (await getNode(world.ctx.db, node.id))!;
      const subnodes = await liveSubnodes(world.ctx.db, node.id);
      const sha = (text: string) => createHash('sha256').update(text).digest('hex');
      const infoOf = (serverId: string) =>
        Object.fromEntries(
          world.openstack
            .files(serverId)
            .filter((file) => file.path.startsWith('/etc/nodepool/'))
            .map((file) => [file.path.slice('/etc/nodepool/'.length), file.sha256]),
        );
      const subIps = subnodes.map((s) => `${s.ip}\n`).join('');

      const members = [
        { role: 'primary', ip: primary.ip, server: primary.externalId! },
        ...subnodes.map((s) => ({ role: 'sub', ip: s.ip, server: s.externalId! })),
      ];
      const publicKeys = new Set<string>();
      for (const member of members) {
        const info = infoOf(member.server);
        assert.deepEqual(Object.keys(info).sort(), [
          'id_rsa', 'id_rsa.pub', 'node', 'node_private', 'primary_node',
          'primary_node_private', 'provider', 'role', 'sub_nodes', 'sub_nodes_private', 'uuid',
        ]);
        assert.equal(info.role, sha(`${member.role}\n`), `role of ${member.server}`);
        assert.equal(info.node, sha(`${member.ip}\n`));
        assert.equal(info.uuid, sha(`${member.server}\n`));
        assert.equal(info.primary_node, sha(`${primary.ip}\n`));
        assert.equal(info.sub_nodes, sha(subIps));
        publicKeys.add(info['id_rsa.pub']!);
      }
      assert.equal(publicKeys.size, 1, 'one key pair for the whole set');

      for (const subnode of subnodes) {
        assert.ok(
          world.openstack.commands(subnode.externalId!).some((c) => c.includes('./ready.sh')),
          'the ready script ran on each subnode',
        );
      }
    });
});
