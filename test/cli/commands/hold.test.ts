import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { runHold } from '../../../cli/commands/hold.ts';
import { ErrorCode, isWhiskpoolError } from '../../../lib/errors.ts';
import { getNode, listTransitions } from '../../../lib/node/repository.ts';
import { startSshEndpoint, type SshEndpoint } from '../../sim/jenkins/support.ts';
import { golden, runCli, startCliWorld, type CliWorld } from '../support.ts';

describe('hold', () => {
  let world: CliWorld;
  let ssh: SshEndpoint;

  before(async () => {
    world = await startCliWorld();
    ssh = await startSshEndpoint();
  });
  after(async () => {
    await ssh.close();
    await world.close();
  });

  it('holds a ready node, keeps the reason as its comment and prints its row', async () => {
    const id = await world.insertNode({
      state: 'ready',
      age: 3700,
      az: 'nova',
      externalId: '6b1c5f2e-94d4-4a4c-9b0e-1f3b7c2d8e11',
      ip: '10.68.16.4',
    });
    assert.equal(id, 1);

    const output = await runHold(world.session, id, { reason: 'debugging T1234' });

    assert.equal(output, golden('hold.txt'));
    const node = await getNode(world.session.db, id);
    assert.equal(node?.state, 'hold');
    assert.equal(node?.comment, 'debugging T1234');
    const last = (await listTransitions(world.session.db, id)).at(-1);
    assert.deepEqual([last?.from, last?.to], ['ready', 'hold']);
  });

  it('prints the row as JSON with --json; holding a held node again changes nothing', async () => {
    const before = await getNode(world.session.db, 1);
    const output = await runHold(world.session, 1, { reason: 'debugging T1234', json: true });
    assert.equal(output, golden('hold.json'));
    assert.deepEqual(await getNode(world.session.db, 1), before);
  });

  it('takes a held ready node offline in Jenkins, so no build lands on it', async () => {
    const id = await world.insertNode({ state: 'ready', ip: ssh.host });
    const name = `ci-jessie-wikimedia-${id}`;
    await world.session.context.jenkins('test-jenkins')!.createNode({
      name,
      description: 'test',
      labels: ['ci-jessie-wikimedia'],
      remoteFs: '/home/jenkins',
      host: ssh.host,
      port: ssh.port,
    });
    assert.equal(world.jenkins.computer(name)?.temporarilyOffline, false);

    await runHold(world.session, id, {});

    assert.equal(world.jenkins.computer(name)?.temporarilyOffline, true);
    assert.equal((await getNode(world.session.db, id))?.state, 'hold');
  });

  it('holds in-use and used nodes without touching their agents', async () => {
    for (const state of ['in-use', 'used'] as const) {
      const id = await world.insertNode({ state });
      await runHold(world.session, id, { reason: 'look at the build' });
      assert.equal((await getNode(world.session.db, id))?.state, 'hold');
    }
  });

  it('refuses to hold a node that is not ready, in use or used, and changes nothing', async () => {
    for (const state of ['requested', 'building', 'booted', 'failed', 'deleting'] as const) {
      const id = await world.insertNode({ state });
      await assert.rejects(runHold(world.session, id, { reason: 'x' }), (error) => {
        assert.ok(isWhiskpoolError(error, ErrorCode.NodeStateConflict));
        assert.match(error.message, new RegExp(`node ${id} is ${state}`));
        return true;
      });
      const node = await getNode(world.session.db, id);
      assert.equal(node?.state, state);
      assert.equal(node?.comment, null);
    }
  });

  it('says which node does not exist and exits 1', async () => {
    const run = await runCli(['-c', world.configPath, 'hold', '9999']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /node 9999 does not exist/);
  });
});
