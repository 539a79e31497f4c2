import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';

import {
  chooseFlavor,
  MetadataKey,
  NOVA_METADATA_MAX_LENGTH,
  ownedBy,
  serverMetadata,
  type CloudProvider,
  type CloudServer,
  type ServerSpec,
} from '../../../../lib/cloud/index.ts';
import { ErrorCode, isWhiskpoolError, type WhiskpoolError } from '../../../../lib/errors.ts';
import { eventually, patiently, recordingLogger, type CloudFixture } from './fixture.ts';

const INTERFACES = ['public', 'internal', 'admin'] as const;

/**
 * The suite every cloud whiskpool can run on must pass, run once per implementation: the
 * OpenStack client against the stand-in in sim/openstack and against a real control plane.
 * Where they differ, the stand-in is what changes.
 */
export function cloudContract(
  name: string,
  open: () => Promise<CloudFixture>,
  options: { skip?: string } = {},
): void {
  describe(`cloud contract: ${name}`, { skip: options.skip, concurrency: 1 }, () => {
    let fx: CloudFixture;
    // Every server and snapshot this run makes carries this pool id, and nothing else does.
    const poolId = `contract-${randomUUID().slice(0, 8)}`;

    before(async () => {
      fx = await open();
    });
    after(async () => {
      await fx?.close();
    });

    describe('Keystone', { concurrency: 1 }, () => {
      it('scopes a password login to the project and reuses the token', async () => {
        const cloud = fx.client();
        await cloud.listFlavors();
        await cloud.getLimits();
        await cloud.listServers();
        assert.equal(cloud.tokensIssued, 1);
      });

      it('refuses a wrong password or project as WP_CLOUD_AUTH_FAILED, naming no secret',
        async () => {
          const wrongPassword = fx.client({ password: 'not-the-password' });
          const refused = await failsWith(wrongPassword.listFlavors(), ErrorCode.CloudAuthFailed,
            [...fx.secrets, 'not-the-password']);
          assert.equal(refused.retryable, false);

          const wrongProject = fx.client({ projectName: 'no-such-project', projectId: undefined });
          await failsWith(wrongProject.listFlavors(), ErrorCode.CloudAuthFailed, fx.secrets);
        });

      it('finds compute and image in the catalog by region and interface', async () => {
        for (const regionName of fx.regions) {
          for (const computeInterface of INTERFACES) {
            const cloud = fx.client({ regionName, computeInterface });
            assert.ok((await cloud.listFlavors()).length > 0, `${regionName}/${computeInterface}`);
            assert.ok(await cloud.findImage(fx.image.olderActiveId));
          }
        }

        const nowhere = fx.client({ regionName: 'RegionNowhere' });
        const error = await failsWith(nowhere.listFlavors(), ErrorCode.CloudRequestRefused,
          fx.secrets);
        assert.match(error.message, /region 'RegionNowhere'/);
      });
    });

    // Waiting out a revocation and a token's lifetime takes a minute on the real cloud: that
    // lane runs beside the one that works with servers and images.
    describe('side by side', { concurrency: 2 }, () => {
      describe('tokens that stop working', { concurrency: 1 }, () => {
        it('renews once, transparently, a token the cloud stops accepting', async () => {
          const cloud = fx.client(fx.revocable);
          await cloud.listFlavors();
          await fx.revokeTokens();

          assert.ok((await cloud.listFlavors()).length > 0);
          assert.equal(cloud.tokensIssued, 2);
        });

        it('renews a token before it expires, so that no call is refused', async () => {
          const recorder = recordingLogger();
          const cloud = fx.client({}, recorder.log);
          await cloud.listFlavors();

          await new Promise((resolve) => setTimeout(resolve, fx.tokenLifetimeMs + 500));
          assert.ok((await cloud.listFlavors()).length > 0);

          assert.equal(cloud.tokensIssued, 2);
          assert.ok(!recorder.messages().some((message) => message.includes('refused')),
            recorder.messages().join('\n'));
        });
      });

      describe('Nova and Glance', { concurrency: 1 }, () => {
        let tiny: { id: string; vcpus: number; ram: number };

        before(async () => {
          const flavors = await fx.client().listFlavors();
          const found = flavors.find((flavor) => flavor.name === 'm1.tiny');
          assert.ok(found, 'the fixture offers m1.tiny');
          tiny = found;
        });

        const spec = (suffix: string, metadata: Record<string, string> = {}): ServerSpec => ({
          name: `${poolId}-${suffix}`,
          imageId: fx.image.newestActiveId,
          flavorId: tiny.id,
          metadata: { [MetadataKey.Pool]: poolId, ...metadata },
          networks: 'none',
        });

        const gone = (cloud: CloudProvider, id: string) =>
          eventually(`server ${id} gone`, fx.patienceMs, patiently(async () =>
            (await cloud.getServer(id)) === null ? true : undefined));

        /**
         * Creates a server that is gone when the test ends, however it ends: a server still
         * being deleted counts against the quota the next test reads.
         */
        const boot = async (t: TestContext, cloud: CloudProvider, server: ServerSpec) => {
          const { id } = await cloud.createServer(server);
          t.after(async () => {
            await cloud.deleteServer(id);
            await gone(cloud, id);
          });
          return id;
        };

        const active = (cloud: CloudProvider, id: string) =>
          eventually(`server ${id} ACTIVE`, fx.patienceMs, patiently(async () => {
            const server = await cloud.getServer(id);
            if (server?.status === 'ERROR') assert.fail(`server ${id}: ${server.fault?.message}`);
            return server?.status === 'ACTIVE' && server.taskState === null ? server : undefined;
          }));

        it("chooses flavors by Nodepool's min-ram and name-filter rules", async () => {
          const flavors = await fx.client().listFlavors();
          assert.deepEqual(flavors.find((f) => f.name === 'm1.medium'),
            { id: '3', name: 'm1.medium', ram: 4096, vcpus: 2, disk: 40 });

          assert.equal(chooseFlavor(flavors, { minRam: 0 }).name, 'm1.tiny');
          assert.equal(chooseFlavor(flavors, { minRam: 1024 }).name, 'm1.small');
          assert.equal(chooseFlavor(flavors, { minRam: 2048 }).name, 'm1.small');
          assert.equal(chooseFlavor(flavors, { minRam: 0, nameFilter: 'large' }).name, 'm1.large');
          assert.equal(chooseFlavor(flavors, { minRam: 9000, nameFilter: 'large' }).name,
            'm1.xlarge');
          assert.throws(() => chooseFlavor(flavors, { minRam: 9000, nameFilter: 'tiny' }),
            (error: unknown) => isWhiskpoolError(error, ErrorCode.ConfigInvalid));
        });

        it('finds the newest active image by name, any image by id, and nothing else',
          async () => {
            const cloud = fx.client();
            const byName = await cloud.findImage(fx.image.name);
            assert.equal(byName?.id, fx.image.newestActiveId);
            assert.equal(byName?.status, 'active');
            assert.equal(byName?.name, fx.image.name);
            assert.ok(!Number.isNaN(Date.parse(byName.createdAt)), byName.createdAt);

            assert.deepEqual(await cloud.findImage(fx.image.newestActiveId), byName);
            assert.equal((await cloud.findImage(fx.image.olderActiveId))?.status, 'active');
            assert.equal((await cloud.findImage(fx.image.queuedId))?.status, 'queued');
            assert.equal(await cloud.findImage(`${poolId}-no-such-image`), null);
            assert.equal(await cloud.findImage(randomUUID()), null);
          });

        it("boots a server with whiskpool's metadata and no network, shows it, lists only " +
          'ours, deletes it and sees it gone', async (t) => {
          const cloud = fx.client();
          // The longest value Nova takes: Nodepool's JSON key grows with the image name.
          const shortest = serverMetadata({ poolId, nodeId: '1', provider: 'contract',
            label: 'ci-label', imageName: '' }).nodepool ?? '';
          const metadata = serverMetadata({ poolId, nodeId: '1', provider: 'contract',
            label: 'ci-label', imageName: 'i'.repeat(NOVA_METADATA_MAX_LENGTH - shortest.length) });
          assert.equal(metadata.nodepool?.length, NOVA_METADATA_MAX_LENGTH);

          const ours = await boot(t, cloud, { ...spec('ours'), metadata });
          const stranger = await boot(t, cloud,
            spec('stranger', { [MetadataKey.Pool]: `${poolId}-another-pool` }));

          const server = await active(cloud, ours);
          assert.equal(server.name, `${poolId}-ours`);
          assert.equal(server.fault, undefined);
          assert.ok(!Number.isNaN(Date.parse(server.createdAt)), server.createdAt);
          for (const [key, value] of Object.entries(metadata)) {
            assert.equal(server.metadata[key], value, `metadata ${key}`);
          }
          await active(cloud, stranger);

          const listed = await cloud.listServers();
          assert.deepEqual(listed.filter((s) => ownedBy(s, poolId)).map((s) => s.id), [ours]);
          assert.ok(listed.some((s) => s.id === stranger));

          await cloud.deleteServer(ours);
          await gone(cloud, ours);
          assert.ok(!(await cloud.listServers()).some((s) => s.id === ours));
          await cloud.deleteServer(ours);
        });

        it('refuses a metadata value longer than Nova allows, as a request error', async () => {
          const cloud = fx.client();
          const tooLong = { [MetadataKey.Label]: 'x'.repeat(NOVA_METADATA_MAX_LENGTH + 1) };
          const error = await failsWith(cloud.createServer(spec('too-long', tooLong)),
            ErrorCode.CloudRequestRefused, fx.secrets);
          assert.equal(error.retryable, false);
          assert.match(error.message, / 400: /);
        });

        it('answers no server for an unknown id, and deleting one is already done', async () => {
          const cloud = fx.client();
          const unknown = randomUUID();
          assert.equal(await cloud.getServer(unknown), null);
          await cloud.deleteServer(unknown);
        });

        it('reads the absolute limits and counts a new server in them', async (t) => {
          const cloud = fx.client();
          const before = await cloud.getLimits();
          assert.equal(before.maxTotalInstances, -1);

          const id = await boot(t, cloud, spec('counted'));
          await active(cloud, id);
          const after = await cloud.getLimits();
          assert.equal(after.totalInstancesUsed, before.totalInstancesUsed + 1);
          assert.equal(after.totalCoresUsed, before.totalCoresUsed + tiny.vcpus);
          assert.equal(after.totalRAMUsed, before.totalRAMUsed + tiny.ram);

          await cloud.deleteServer(id);
          await gone(cloud, id);
        });

        it("refuses a server beyond the project's instance quota with WP_QUOTA_EXCEEDED, " +
          'retryable', async (t) => {
          const cloud = fx.client();
          const { totalInstancesUsed } = await cloud.getLimits();
          await fx.setInstanceQuota(totalInstancesUsed + 1);
          t.after(() => fx.setInstanceQuota(-1));
          assert.equal((await cloud.getLimits()).maxTotalInstances, totalInstancesUsed + 1);

          const first = await boot(t, cloud, spec('quota-1'));
          // Nova counts a server against the quota once it is scheduled, not when accepted:
          // two creates close together can both pass, which the pool's max-servers prevents.
          await active(cloud, first);
          t.after(() => deleteNamed(cloud, `${poolId}-quota-2`));
          const error = await failsWith(cloud.createServer(spec('quota-2')),
            ErrorCode.QuotaExceeded, fx.secrets);
          assert.equal(error.retryable, true);
          assert.match(error.message, /Quota exceeded for instances/);

          await cloud.deleteServer(first);
          await gone(cloud, first);
        });

        it('snapshots a server into an image that turns active, and deletes the image',
          async (t) => {
            const cloud = fx.client();
            const id = await boot(t, cloud, spec('snapshot'));
            await active(cloud, id);

            const name = `${poolId}-snapshot`;
            const snapshot = await cloud.createImage(id, name, { [MetadataKey.Pool]: poolId });
            t.after(() => cloud.deleteImage(snapshot.id));
            const image = await eventually('the snapshot active', fx.patienceMs, patiently(
              async () => {
                const found = await cloud.getImage(snapshot.id);
                if (found?.status === 'killed') assert.fail(`snapshot ${snapshot.id} was killed`);
                return found?.status === 'active' ? found : undefined;
              }));
            assert.equal(image.name, name);
            assert.equal((await cloud.findImage(name))?.id, snapshot.id);

            // Nova clears the task state once the upload is done; only then may it go.
            await active(cloud, id);
            await cloud.deleteServer(id);
            await cloud.deleteImage(snapshot.id);
            await eventually('the snapshot gone', fx.patienceMs, patiently(async () =>
              (await cloud.getImage(snapshot.id)) === null ? true : undefined));
            await cloud.deleteImage(snapshot.id);
            await gone(cloud, id);
          });

        it('leaves the project without a server, as its user lists them', async () => {
          const cloud = fx.client();
          let left: CloudServer[] = [];
          await eventually('every server gone', fx.patienceMs, patiently(async () => {
            left = await cloud.listServers();
            return left.length === 0 ? true : undefined;
          })).catch(() => undefined);
          assert.deepEqual(left.map((s) => `${s.name} ${s.status}`), []);
          assert.equal(await cloud.findImage(`${poolId}-snapshot`), null);
        });
      });
    });
  });
}

/** Deletes the servers of that name, should a create that ought to fail have succeeded. */
async function deleteNamed(cloud: CloudProvider, name: string): Promise<void> {
  for (const server of await cloud.listServers()) {
    if (server.name === name) await cloud.deleteServer(server.id);
  }
}

/** Asserts the promise fails with this code and that its message shows none of the secrets. */
async function failsWith(
  work: Promise<unknown>,
  code: ErrorCode,
  secrets: readonly string[],
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
