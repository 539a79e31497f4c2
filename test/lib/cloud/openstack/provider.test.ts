import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  createOpenStackProvider,
  ownedBy,
  serverMetadata,
  type CloudServer,
  type OpenStackOptions,
} from '../../../../lib/cloud/index.ts';
import { ErrorCode, isWhiskpoolError, type WhiskpoolError } from '../../../../lib/errors.ts';
import { createLogger } from '../../../../lib/log.ts';
import { newEd25519KeyPair } from '../../../../lib/ssh/keys.ts';
import { startOpenStackSim, type OpenStackSim } from '../../../../sim/openstack/index.ts';
import { freePort } from '../../../support/ports.ts';
import { until } from '../../../sim/openstack/raw-api.ts';
import { sshExec } from '../../../sim/openstack/ssh-client.ts';

const log = createLogger({ name: 'test.cloud', level: 'silent' });
const key = newEd25519KeyPair();

function clientFor(sim: OpenStackSim, extra: Partial<OpenStackOptions> = {}) {
  return createOpenStackProvider(
    {
      name: 'sim',
      authUrl: sim.url,
      username: sim.username,
      password: sim.password,
      projectName: sim.projectName,
      ...extra,
    },
    log,
  );
}

/** Asserts the promise fails with this code and never shows a secret. */
async function failsWith(
  work: Promise<unknown>,
  code: ErrorCode,
  secrets: string[],
): Promise<WhiskpoolError> {
  const error = await work.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(isWhiskpoolError(error), `not a WhiskpoolError: ${String(error)}`);
  assert.equal(error.code, code, error.message);
  for (const secret of secrets) assert.ok(!error.message.includes(secret), error.message);
  return error;
}

describe('OpenStack client against the stand-in: lifecycle', () => {
  let sim: OpenStackSim;
  before(async () => {
    sim = await startOpenStackSim({
      bootDelayMs: 150,
      novaPageSize: 2,
      glancePageSize: 1,
      images: [
        { name: 'ci-jessie', createdAt: '2015-10-01T00:00:00Z' },
        { name: 'ci-jessie', createdAt: '2015-10-02T00:00:00Z' },
        { name: 'ci-jessie', createdAt: '2015-10-03T00:00:00Z', status: 'saving' },
      ],
      ssh: { authorizedKey: key.public },
    });
  });
  after(() => sim.close());

  it('creates a server that goes BUILD -> ACTIVE, is reachable by SSH and is deleted',
    async () => {
      const cloud = clientFor(sim);
      const image = await cloud.findImage('ci-jessie');
      assert.ok(image);
      const metadata = serverMetadata({ poolId: 'pool-a', nodeId: '17', provider: 'sim',
        label: 'jessie', imageName: 'ci-jessie' });

      // Left to the cloud, the server gets its network: one booted with `none` has no address.
      const { id } = await cloud.createServer({ name: 'jessie-sim-17', imageId: image.id,
        flavorId: '2', metadata });
      const building = await cloud.getServer(id);
      assert.equal(building?.status, 'BUILD');
      assert.equal(building?.ipv4, undefined);

      const active = await until<CloudServer>('ACTIVE', async () => {
        const server = await cloud.getServer(id);
        return server?.status === 'ACTIVE' ? server : undefined;
      });
      assert.equal(active.name, 'jessie-sim-17');
      assert.equal(active.ipv4, '127.0.0.1');
      assert.notEqual(active.sshPort, 22);
      assert.ok(ownedBy(active, 'pool-a'));
      assert.deepEqual(
        Object.fromEntries(Object.entries(active.metadata).filter(([k]) => k !== 'ssh-port')),
        metadata,
      );

      const ssh = await sshExec({ port: active.sshPort, username: 'jenkins',
        privateKey: key.private, command: 'echo access okay' });
      assert.equal(ssh.stdout.trim(), 'access okay');

      const listed = await cloud.listServers();
      assert.deepEqual(listed.map((s) => s.id), [id]);

      await cloud.deleteServer(id);
      assert.equal(await cloud.getServer(id), null);
      await cloud.deleteServer(id);
    });

  it('lists every server across pages', async () => {
    const cloud = clientFor(sim);
    const image = await cloud.findImage('ci-jessie');
    assert.ok(image);
    const ids = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await cloud.createServer({ name: `n${i}`, imageId: image.id, flavorId: '1',
        metadata: {} })).id);
    }

    const listed = await cloud.listServers();
    assert.deepEqual(listed.map((s) => s.id).sort(), [...ids].sort());
    const limits = await cloud.getLimits();
    assert.equal(limits.totalInstancesUsed, 5);
    assert.equal(limits.maxTotalInstances, 10);
    assert.equal(limits.totalRAMUsed, 5 * 512);

    for (const id of ids) await cloud.deleteServer(id);
    assert.deepEqual(await cloud.listServers(), []);
  });

  it('finds images by name (newest active, across pages) and by id', async () => {
    const cloud = clientFor(sim);

    const byName = await cloud.findImage('ci-jessie');
    assert.equal(byName?.createdAt, '2015-10-02T00:00:00Z');
    assert.equal(byName?.status, 'active');
    assert.deepEqual(await cloud.findImage(byName.id), byName);

    assert.equal(await cloud.findImage('no-such-image'), null);
    assert.equal(await cloud.findImage('00000000-0000-4000-8000-000000000000'), null);
  });

  it('lists flavors with their sizes', async () => {
    const flavors = await clientFor(sim).listFlavors();
    assert.deepEqual(flavors.find((f) => f.name === 'm1.medium'),
      { id: '3', name: 'm1.medium', ram: 4096, vcpus: 2, disk: 40 });
  });

  it('reports every operation under its Nodepool task name', async () => {
    const calls: [string, boolean][] = [];
    const cloud = clientFor(sim, { onCall: (operation, ms, ok) => {
      assert.ok(ms >= 0);
      calls.push([operation, ok]);
    } });

    await cloud.listFlavors();
    await cloud.findImage('ci-jessie');
    await cloud.getLimits();
    await cloud.listServers();
    await cloud.getServer('gone');
    sim.failNova({ count: 1 });
    await cloud.deleteServer('gone').catch(() => undefined);

    assert.deepEqual(calls, [
      ['ListFlavorsTask', true],
      ['GetImageTask', true],
      ['GetLimitsTask', true],
      ['ListServersTask', true],
      ['GetServerTask', true],
      ['DeleteServerTask', false],
    ]);
  });
});

describe('OpenStack client against the stand-in: Keystone', () => {
  let sim: OpenStackSim;
  before(async () => {
    sim = await startOpenStackSim({ regions: ['RegionOne', 'RegionTwo'], tokenLifetimeMs: 800 });
  });
  afterEach(() => sim.clearFaults());
  after(() => sim.close());

  it('uses the endpoints of the configured region and interface', async () => {
    const before = sim.state().endpointHits;
    const cloud = clientFor(sim, { regionName: 'RegionTwo', computeInterface: 'internal' });

    await cloud.listFlavors();
    await cloud.findImage('ci-jessie-wikimedia');

    const hits = sim.state().endpointHits;
    const delta = (key: string) => (hits[key] ?? 0) - (before[key] ?? 0);
    assert.equal(delta('compute RegionTwo/internal'), 1);
    assert.equal(delta('image RegionTwo/internal'), 1);
    assert.equal(delta('compute RegionOne/public'), 0);
  });

  it('defaults to the public interface', async () => {
    const before = sim.state().endpointHits['compute RegionTwo/public'] ?? 0;
    await clientFor(sim, { regionName: 'RegionTwo' }).listFlavors();
    assert.equal(sim.state().endpointHits['compute RegionTwo/public'], before + 1);
  });

  it('names the region when the catalog has no endpoint there', async () => {
    const error = await failsWith(clientFor(sim, { regionName: 'RegionNine' }).listFlavors(),
      ErrorCode.CloudRequestRefused, [sim.password]);
    assert.match(error.message, /region 'RegionNine'/);
  });

  it("accepts a 2015 config's v2.0 auth URL and a project id", async () => {
    const authUrl = sim.url.replace(/\/v3$/, '/v2.0/');
    const cloud = clientFor(sim, { authUrl, projectName: undefined, projectId: sim.projectId });
    assert.ok((await cloud.listFlavors()).length > 0);
  });

  it('reuses its token, and renews it before it expires without a refused call', async () => {
    const cloud = clientFor(sim);
    const start = sim.state();

    await cloud.listFlavors();
    await cloud.getLimits();
    assert.equal(cloud.tokensIssued, 1);

    await new Promise((resolve) => setTimeout(resolve, 800));
    await cloud.listFlavors();

    assert.equal(cloud.tokensIssued, 2);
    assert.equal(sim.state().tokensIssued - start.tokensIssued, 2);
    assert.equal(sim.state().rejectedTokens, start.rejectedTokens, 'no call was refused');
  });

  it('renews once when the cloud refuses a token before its expiry', async () => {
    const cloud = clientFor(sim);
    await cloud.listFlavors();
    sim.revokeTokens();

    assert.ok((await cloud.listFlavors()).length > 0);
    assert.equal(cloud.tokensIssued, 2);
  });

  it('shares one token request between concurrent calls', async () => {
    const cloud = clientFor(sim);
    await Promise.all([cloud.listFlavors(), cloud.getLimits(), cloud.listServers()]);
    assert.equal(cloud.tokensIssued, 1);
  });
});

describe('OpenStack client against the stand-in: error mapping', () => {
  let sim: OpenStackSim;
  let imageId: string;
  before(async () => {
    sim = await startOpenStackSim({ maxInstances: 1 });
    const image = await clientFor(sim).findImage('ci-jessie-wikimedia');
    assert.ok(image);
    imageId = image.id;
  });
  afterEach(() => sim.clearFaults());
  after(() => sim.close());

  const spec = () => ({ name: 'x', imageId, flavorId: '1', metadata: {} });

  it('500 -> CloudUnavailable, retryable', async () => {
    sim.failNova({ count: 1 });
    const error = await failsWith(clientFor(sim).listFlavors(), ErrorCode.CloudUnavailable,
      [sim.password]);
    assert.equal(error.retryable, true);
    assert.match(error.message, /provider 'sim': compute GET \/flavors\/detail answered 500/);
  });

  it('413 over limit -> QuotaExceeded with Retry-After', async () => {
    sim.overLimit({ count: 1, status: 413, retryAfterSeconds: 3 });
    const error = await failsWith(clientFor(sim).createServer(spec()), ErrorCode.QuotaExceeded,
      [sim.password]);
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 3000);
  });

  it('403 quota exceeded -> QuotaExceeded with Nova\'s message', async () => {
    const cloud = clientFor(sim);
    const { id } = await cloud.createServer(spec());
    try {
      const error = await failsWith(cloud.createServer(spec()), ErrorCode.QuotaExceeded,
        [sim.password]);
      assert.equal(error.retryable, true);
      assert.match(error.message, /Quota exceeded for instances: Requested 1, but already used 1/);
    } finally {
      await cloud.deleteServer(id);
    }
  });

  it('404 -> no server (get) and nothing to do (delete)', async () => {
    const cloud = clientFor(sim);
    assert.equal(await cloud.getServer('6f2a9b3e-0000-4000-8000-000000000000'), null);
    await cloud.deleteServer('6f2a9b3e-0000-4000-8000-000000000000');
  });

  it('401 for the password -> CloudAuthFailed naming the user, not the password', async () => {
    const error = await failsWith(clientFor(sim, { password: 'wrong-secret' }).listFlavors(),
      ErrorCode.CloudAuthFailed, ['wrong-secret', sim.password]);
    assert.equal(error.retryable, false);
    assert.match(error.message, new RegExp(`user '${sim.username}'`));
  });

  it('401 again after renewal -> CloudAuthFailed', async () => {
    const shortLived = await startOpenStackSim({ tokenLifetimeMs: 1 });
    try {
      shortLived.setLatency(5);
      const cloud = clientFor(shortLived);
      await failsWith(cloud.listFlavors(), ErrorCode.CloudAuthFailed, [shortLived.password]);
      assert.equal(cloud.tokensIssued, 2, 'renewed exactly once');
    } finally {
      await shortLived.close();
    }
  });

  it("400 -> CloudRequestRefused with Nova's message", async () => {
    const error = await failsWith(clientFor(sim).createServer({ ...spec(), flavorId: '99' }),
      ErrorCode.CloudRequestRefused, [sim.password]);
    assert.match(error.message, /Flavor 99 could not be found/);
  });

  it('a slow answer -> CloudUnavailable after the API timeout', async () => {
    const cloud = clientFor(sim, { apiTimeoutMs: 200 });
    await cloud.listFlavors();
    sim.setLatency(400);
    const error = await failsWith(cloud.listFlavors(), ErrorCode.CloudUnavailable,
      [sim.password]);
    assert.match(error.message, /no answer within 200 ms/);
  });

  it('nothing listening -> CloudUnavailable', async () => {
    const port = await freePort();
    const cloud = createOpenStackProvider({ authUrl: `http://127.0.0.1:${port}/v3`,
      username: 'u', password: 'secret-pw', projectName: 'p' }, log);
    const error = await failsWith(cloud.listFlavors(), ErrorCode.CloudUnavailable,
      ['secret-pw']);
    assert.match(error.message, /ECONNREFUSED/);
  });
});

describe('OpenStack client against the stand-in: networks by name', () => {
  const networks = [
    { id: '0a5f4bd5-5c5f-4f2a-9d3b-1b7e0c1f0a01', name: 'default-net' },
    { id: '0a5f4bd5-5c5f-4f2a-9d3b-1b7e0c1f0a02', name: 'tripleo-bm-test' },
    { id: '0a5f4bd5-5c5f-4f2a-9d3b-1b7e0c1f0a03', name: 'twice' },
    { id: '0a5f4bd5-5c5f-4f2a-9d3b-1b7e0c1f0a04', name: 'twice' },
  ];
  let sim: OpenStackSim;
  before(async () => {
    sim = await startOpenStackSim({ networks });
  });
  after(() => sim.close());

  it("finds a net-label's network in Neutron through the catalog", async () => {
    const cloud = clientFor(sim);

    assert.deepEqual(await cloud.findNetwork('tripleo-bm-test'), { id: networks[1]!.id });
    assert.equal(await cloud.findNetwork('no-such-net'), null);
    assert.equal(sim.state().endpointHits['network RegionOne/public'], 2);
  });

  it('refuses a name two networks share, saying to use net-id', async () => {
    const error = await failsWith(
      clientFor(sim).findNetwork('twice'),
      ErrorCode.CloudRequestRefused,
      [sim.password],
    );
    assert.match(error.message, /2 networks are named "twice"; name it by net-id/);
  });
});
