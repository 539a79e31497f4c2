import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { CloudProvider } from '../../../lib/cloud/provider.ts';
import type { FollowUp } from '../../../lib/events/messages.ts';
import { getNode, insertRequestedNode } from '../../../lib/node/repository.ts';
import type { StepOutcome } from '../../../lib/pool/context.ts';
import { pacedCloud } from '../../../lib/pool/pacing.ts';
import { pausedFor } from '../../../lib/pool/provider-pause.ts';
import { deleteNode } from '../../../lib/pool/delete.ts';
import { readyCheckNode } from '../../../lib/pool/ready-check.ts';
import { reconcile } from '../../../lib/pool/reconcile.ts';
import { spawnNode } from '../../../lib/pool/spawn.ts';
import { startTestWorld, type TestWorld } from '../../support/pool-context.ts';



describe('launching a node', () => {
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld();
    // Servers of this world are trusted once ACTIVE, so a launch ends at "register".
    (world.ctx.config.providers[0] as { hostKeyChecking: boolean }).hostKeyChecking = false;
  });
  afterEach(() => world.openstack.clearFaults());
  after(async () => world.close());

  async function newNode() {
    return world.ctx.db.transaction((trx) =>
      insertRequestedNode(
        trx,
        { provider: 'test-cloud', label: 'ci-jessie-wikimedia', target: 'test-jenkins', az: null },
        world.ctx.now(),
        (id) => ({ hostname: `ci-jessie-wikimedia-${id}`, nodeName: `ci-jessie-wikimedia-${id}` }),
      ),
    );
  }

  /** Runs the node's steps as the dispatcher would, up to registration or deletion. */
  async function launch(nodeId: number) {
    const steps: string[] = [];
    let queue: FollowUp[] = [{ subject: 'whiskpool.node.spawn', data: { nodeId }, id: 'first' }];
    for (let i = 0; i < 200 && queue.length > 0; i++) {
      const message = queue.shift()!;
      const step = message.subject.split('.').pop()!;
      if (step === 'register') {
        steps.push(step);
        continue;
      }
      const outcome: StepOutcome =
        step === 'spawn'
          ? await spawnNode(world.ctx, nodeId)
          : step === 'ready-check'
            ? await readyCheckNode(world.ctx, nodeId)
            : await deleteNode(world.ctx, nodeId, 'failed');
      steps.push(`${step}:${String(outcome.summary.outcome)}`);
      if (outcome.retryAfterMs !== undefined) {
        await sleep(Math.min(outcome.retryAfterMs, 20));
        queue.push(message);
      }
      queue = [...queue, ...outcome.events];
    }
    return steps;
  }

  function serversOf(nodeId: number) {
    return world.openstack
      .state()
      .servers.filter((s) => s.metadata['whiskpool-node-id'] === String(nodeId));
  }

  it('replaces a server that went to ERROR, deleting the broken one first', async () => {
    world.openstack.failBoots({ count: 2, message: 'No valid host was found' });
    const node = await newNode();
    const steps = await launch(node.id);

    assert.equal(steps.filter((s) => s === 'ready-check:relaunched').length, 2, steps.join(' '));
    assert.equal(steps.at(-1), 'register');
    const launched = await getNode(world.ctx.db, node.id);
    assert.equal(launched?.launchAttempts, 3);
    assert.equal(serversOf(node.id).length, 1, 'only the good server is left');
  });

  it('fails the node after launch-retries attempts and leaves no server behind', async () => {
    world.openstack.failBoots({ count: 10 });
    const node = await newNode();
    const steps = await launch(node.id);

    assert.equal(steps.filter((s) => s.startsWith('spawn:')).length, 3, steps.join(' '));
    assert.equal((await getNode(world.ctx.db, node.id))?.state, 'deleted');
    assert.deepEqual(serversOf(node.id), []);
  });

  it("boots a net-label's network, looked up by name, and fails a launch on an unknown one",
    async (t) => {
      const provider = world.ctx.config.providers[0] as { networks: object[] };
      t.after(() => (provider.networks = []));

      provider.networks = [{ name: 'public', public: false }];
      const attached = await newNode();
      assert.equal((await launch(attached.id)).at(-1), 'register');
      assert.deepEqual(serversOf(attached.id).map((server) => server.networks), [['public']]);

      provider.networks = [{ name: 'tripleo-bm-test', public: false }];
      const unattached = await newNode();
      const outcome = await spawnNode(world.ctx, unattached.id);
      assert.match(
        String(outcome.summary.reason ?? outcome.summary.error),
        /provider 'test-cloud' has no network named "tripleo-bm-test" \(net-label\)/,
        JSON.stringify(outcome.summary),
      );
      assert.deepEqual(serversOf(unattached.id), []);
    });

  it('pauses the provider on a quota refusal without using up a retry', async () => {
    world.openstack.overLimit({ count: 1, status: 403 });
    const node = await newNode();
    const outcome = await spawnNode(world.ctx, node.id);

    assert.equal(outcome.summary.outcome, 'quota');
    assert.ok((outcome.retryAfterMs ?? 0) > 0);
    assert.equal((await getNode(world.ctx.db, node.id))?.launchAttempts, 1);
    assert.ok((await pausedFor(world.ctx.db, 'test-cloud', world.ctx.now())) > 0);

    const paused = await spawnNode(world.ctx, node.id);
    assert.equal(paused.summary.outcome, 'provider-paused', 'no call while paused');
    await world.ctx
      .db('label_demand')
      .insert({ label: 'ci-jessie-wikimedia', demand: 5, updated_at: 1 });
    const planned = await reconcile(world.ctx);
    assert.equal(planned.summary.requested, 0, 'nothing is planned on a paused provider');

    world.advance(10 * 60_000);
    const resumed = await launch(node.id);
    assert.equal(resumed.at(-1), 'register');
  });

  it('keeps calls to a provider at least its rate apart, whoever makes them', async () => {
    const starts: number[] = [];
    const recording: CloudProvider = new Proxy(world.cloud, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          starts.push(performance.now());
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const first = pacedCloud(recording, world.ctx.db, 0.05);
    const second = pacedCloud(recording, world.ctx.db, 0.05);

    const begin = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? first : second).listFlavors()),
    );
    // Each call gets its own slot, 50 ms after the one before, and may start late (a busy
    // machine) but never early: the k-th call starts no sooner than k slots after the first.
    starts.sort((a, b) => a - b);
    assert.equal(starts.length, 8);
    for (const [k, start] of starts.entries()) {
      const earliest = begin + k * 50 - 2;
      assert.ok(start >= earliest, `call ${k} started ${(earliest - start).toFixed(0)} ms early`);
    }
  });
});
