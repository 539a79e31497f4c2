import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { newEd25519KeyPair } from '../../../lib/ssh/keys.ts';
import { startOpenStackSim, type OpenStackSim } from '../../../sim/openstack/index.ts';
import { RawApi, until } from './raw-api.ts';
import { sshExec } from './ssh-client.ts';

const { utils } = ssh2;
const allowed = newEd25519KeyPair();
const stranger = newEd25519KeyPair();

async function activeServer(api: RawApi, sim: OpenStackSim) {
  const { body } = await api.createServer();
  const id: string = body.server.id;
  await until('ACTIVE', () => {
    const server = sim.state().servers.find((s) => s.id === id);
    return server?.status === 'ACTIVE' ? true : undefined;
  });
  const server = sim.state().servers.find((s) => s.id === id);
  assert.ok(server);
  return server;
}

describe('OpenStack stand-in: SSH per server', () => {
  let sim: OpenStackSim;
  let api: RawApi;
  before(async () => {
    sim = await startOpenStackSim({
      bootDelayMs: 50,
      ssh: { authorizedKey: allowed.public, commandExitCodes: { './ready.sh': 3 } },
    });
    api = new RawApi(sim);
  });
  after(() => sim.close());

  it("answers Nodepool's access check on the port in the server's metadata", async () => {
    const server = await activeServer(api, sim);
    assert.equal(server.metadata['ssh-port'], String(server.sshPort));

    const result = await sshExec({ port: server.sshPort, username: 'jenkins',
      privateKey: allowed.private, command: 'echo access okay' });
    assert.deepEqual(result, { stdout: 'access okay\n', code: 0 });
  });

  it('gives each server its own port', async () => {
    const one = await activeServer(api, sim);
    const two = await activeServer(api, sim);
    assert.notEqual(one.sshPort, two.sshPort);
  });

  it('exits with the configured code per command and records every command', async () => {
    const server = await activeServer(api, sim);
    const run = (command: string) => sshExec({ port: server.sshPort, username: 'jenkins',
      privateKey: allowed.private, command });

    assert.equal((await run('cd /opt/nodepool-scripts && ./ready.sh host-1')).code, 3);
    assert.equal((await run('true')).code, 0);
    sim.setCommandExitCode('true', 1);
    assert.equal((await run('true')).code, 1);

    assert.deepEqual(sim.commands(server.id),
      ['cd /opt/nodepool-scripts && ./ready.sh host-1', 'true', 'true']);
  });

  it('refuses a key that is not the authorized one, and an unknown user', async () => {
    const server = await activeServer(api, sim);

    await assert.rejects(sshExec({ port: server.sshPort, username: 'jenkins',
      privateKey: stranger.private, command: 'echo access okay' }), /authentication/i);
    await assert.rejects(sshExec({ port: server.sshPort, username: 'root',
      privateKey: allowed.private, command: 'echo access okay' }), /authentication/i);
  });

  it('does not answer while the server is still building', async () => {
    sim.stickInBuild({ count: 1 });
    const { body } = await api.createServer();
    const server = sim.state().servers.find((s) => s.id === body.server.id);
    assert.ok(server);

    await assert.rejects(sshExec({ port: server.sshPort, username: 'jenkins',
      privateKey: allowed.private, command: 'echo access okay', timeoutMs: 1000 }));
  });

  it('tears the SSH endpoint down when the server is deleted', async () => {
    const server = await activeServer(api, sim);
    await api.nova('DELETE', `/servers/${server.id}`);
    await until('gone', () => (sim.state().servers.some((s) => s.id === server.id)
      ? undefined : true));

    await assert.rejects(sshExec({ port: server.sshPort, username: 'jenkins',
      privateKey: allowed.private, command: 'echo access okay', timeoutMs: 1000 }),
    /ECONNREFUSED|closed/);
  });
});

describe('OpenStack stand-in: SSH without an authorized key', () => {
  let sim: OpenStackSim;
  before(async () => {
    sim = await startOpenStackSim({ ssh: { usernames: ['jenkins', 'zuul'] } });
  });
  after(() => sim.close());

  it('accepts any key for the configured users', async () => {
    const server = await activeServer(new RawApi(sim), sim);
    for (const username of ['jenkins', 'zuul']) {
      const result = await sshExec({ port: server.sshPort, username,
        privateKey: stranger.private, command: 'echo access okay' });
      assert.equal(result.stdout, 'access okay\n');
    }
  });
});
