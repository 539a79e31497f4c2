import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { newEd25519KeyPair } from '../../../lib/ssh/keys.ts';
import { startOpenStackSim, type OpenStackSim } from '../../../sim/openstack/index.ts';
import { RawApi, until } from './raw-api.ts';

const { Client, utils } = ssh2;
const key = newEd25519KeyPair();

/** Logs in and writes files over SFTP, as a template server's bootstrap does. */
async function upload(port: number, username: string, files: Record<string, Buffer>) {
  const client = new Client();
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', reject);
      client.connect({ host: '127.0.0.1', port, username, privateKey: key.private });
    });
    const sftp = await new Promise<ssh2.SFTPWrapper>((resolve, reject) =>
      client.sftp((error, wrapper) => (error ? reject(error) : resolve(wrapper))));
    for (const [path, content] of Object.entries(files)) {
      await new Promise<void>((resolve, reject) =>
        sftp.writeFile(path, content, { mode: 0o755 }, (error) =>
          error ? reject(error) : resolve()));
    }
  } finally {
    client.end();
  }
}

describe('OpenStack stand-in: SFTP per server', () => {
  let sim: OpenStackSim;
  let api: RawApi;
  before(async () => {
    sim = await startOpenStackSim({ ssh: { usernames: ['jenkins', 'root'] } });
    api = new RawApi(sim);
  });
  after(() => sim.close());

  it('records every uploaded file with its owner, absolute path, size and digest', async () => {
    const { body } = await api.createServer();
    const id: string = body.server.id;
    const port = await until('ACTIVE', () => {
      const server = sim.state().servers.find((s) => s.id === id && s.status === 'ACTIVE');
      return server?.sshPort;
    });
    // Large enough that the client splits it into several writes.
    const big = Buffer.alloc(100_000, 'x');
    const small = Buffer.from('#!/bin/bash\necho ready\n');

    await upload(port, 'jenkins', { 'scripts/ready.sh': small, '/tmp/big.bin': big });
    await upload(port, 'root', { 'setup.sh': small });

    const digest = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    assert.deepEqual(sim.files(id), [
      { user: 'jenkins', path: '/home/jenkins/scripts/ready.sh', size: small.length,
        sha256: digest(small) },
      { user: 'jenkins', path: '/tmp/big.bin', size: big.length, sha256: digest(big) },
      { user: 'root', path: '/root/setup.sh', size: small.length, sha256: digest(small) },
    ]);
    assert.deepEqual(sim.state().history.find((h) => h.id === id)?.files, sim.files(id));
  });
});
