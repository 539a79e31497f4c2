import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { runDelete, runDeleteNow } from '../../../cli/commands/delete.ts';
import { startNats, type NatsService } from '../../../deploy/services/nats.ts';
import { ErrorCode, isWhiskpoolError } from '../../../lib/errors.ts';
import { Subject, WORK_STREAM } from '../../../lib/events/subjects.ts';
import { ensureStreams } from '../../../lib/nats/streams.ts';
import { getNode, listTransitions } from '../../../lib/node/repository.ts';
import { startSshEndpoint, type SshEndpoint } from '../../sim/jenkins/support.ts';
import { runCli, startCliWorld, type CliWorld } from '../support.ts';

describe('delete', () => {
  let world: CliWorld;
  let nats: NatsService;
  let nc: NatsConnection;
  let ssh: SshEndpoint;
  let natsDir: string;

  before(async () => {
    world = await startCliWorld();
    natsDir = mkdtempSync(join(tmpdir(), 'whiskpool-cli-nats-'));
    nats = await startNats(world.natsPort, natsDir);
    nc = await connect({ servers: nats.url });
    await ensureStreams(nc);
    ssh = await startSshEndpoint();
  });
  after(async () => {
    await nc?.close();
    await nats?.stop();
    await ssh?.close();
    await world.close();
    rmSync(natsDir, { recursive: true, force: true });
  });

  async function nextNodeMessage() {
    const consumer = await jetstream(nc).consumers.get(WORK_STREAM, 'node');
    const message = await consumer.next({ expires: 5000 });
    assert.ok(message, 'a message on the node subjects');
    message.ack();
    return {
      subject: message.subject,
      data: message.json<unknown>(),
      id: message.headers?.get('Nats-Msg-Id'),
    };
  }

  it('asks the pool to delete a held node, releasing it, and returns at once', async () => {
    const id = await world.insertNode({ state: 'hold', comment: 'debugging' });

    const output = await runDelete(world.session, id);

    assert.equal(output, `node ${id} (ci-jessie-wikimedia-${id}): deletion requested`);
    assert.deepEqual(await nextNodeMessage(), {
      subject: Subject.NodeDelete,
      data: { nodeId: id, reason: 'operator' },
      id: `delete-${id}-operator`,
    });
    assert.equal((await getNode(world.session.db, id))?.state, 'hold', 'the pool does the work');
  });

  it('with --now deletes agent and server itself, and tells the pool to refill', async () => {
    const image = await world.cloud.findImage('ci-jessie-wikimedia');
    const flavor = (await world.cloud.listFlavors())[0];
    const server = await world.cloud.createServer({
      name: 'held-machine',
      imageId: image!.id,
      flavorId: flavor!.id,
      metadata: {},
    });
    const id = await world.insertNode({ state: 'hold', externalId: server.id, ip: ssh.host });
    const name = `ci-jessie-wikimedia-${id}`;
    await world.session.context.jenkins('test-jenkins')!.createNode({
      name,
      description: 'test',
      labels: ['ci-jessie-wikimedia'],
      remoteFs: '/home/jenkins',
      host: ssh.host,
      port: ssh.port,
    });

    const output = await runDeleteNow(world.session, id);

    assert.equal(output, `node ${id} (${name}) deleted`);
    assert.equal(await world.cloud.getServer(server.id), null);
    assert.equal(world.jenkins.computer(name), undefined);
    const states = (await listTransitions(world.session.db, id)).map((t) => t.to);
    assert.deepEqual(states, ['deleting', 'deleted']);

    const tick = await jetstream(nc).consumers.get(WORK_STREAM, 'tick');
    const message = await tick.next({ expires: 5000 });
    assert.equal(message?.subject, Subject.Reconcile);
    message?.ack();
  });

  it('with --now gives up after its timeout while the cloud keeps the server', async () => {
    const image = await world.cloud.findImage('ci-jessie-wikimedia');
    const flavor = (await world.cloud.listFlavors())[0];
    const server = await world.cloud.createServer({
      name: 'stubborn',
      imageId: image!.id,
      flavorId: flavor!.id,
      metadata: {},
    });
    const id = await world.insertNode({ state: 'ready', externalId: server.id });
    await world.session.db('nodes').where({ id }).update({ node_name: null });
    world.openstack.failDeletes({ mode: 'hang' });

    await assert.rejects(runDeleteNow(world.session, id, { timeoutMs: 1500 }), (error) => {
      assert.ok(isWhiskpoolError(error, ErrorCode.NodeStateConflict));
      assert.match(error.message, new RegExp(`node ${id}: server ${server.id} is still there`));
      return true;
    });
    assert.equal((await getNode(world.session.db, id))?.state, 'deleting');
    world.openstack.clearFaults();
  });

  it('refuses a node that is already deleted, with exit status 1', async () => {
    const id = await world.insertNode({ state: 'deleted' });
    const run = await runCli(['-c', world.configPath, 'delete', String(id)]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`node ${id} is already deleted`));
  });
});
