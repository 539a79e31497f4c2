import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { FollowUp } from '../../../lib/events/messages.ts';
import { Subject } from '../../../lib/events/subjects.ts';
import {
  IMAGE_TIMEOUT_SECONDS,
  SETUP_TIMEOUT_MS,
  listImages,
  newestReadyImage,
  type SnapshotImage,
} from '../../../lib/image/index.ts';
import { insertRequestedNode } from '../../../lib/node/repository.ts';
import { spawnNode } from '../../../lib/pool/spawn.ts';
import type { SimServerState } from '../../../sim/openstack/index.ts';
import { templateMetadata } from '../../../lib/cloud/metadata.ts';
import { sweep } from '../../../lib/pool/sweep.ts';
import { startSetupCommand } from '../../../lib/image/setup-job.ts';
import { sshExec } from '../../sim/openstack/ssh-client.ts';
import {
  driveUntilStep,
  refreshRequest,
  SCRIPT_DIR,
  scriptFile,
  startImageWorld,
  type ImageWorld,
} from './world.ts';

const PROVIDER = 'wmflabs-eqiad';
const IMAGE = 'ci-jessie-wikimedia';

function sha256(data: Buffer) {
  return createHash('sha256').update(data).digest('hex');
}

describe('snapshot image refresh against the OpenStack stand-in', () => {
  let world: ImageWorld;

  let baseImages: string[];
  before(async () => {
    world = await startImageWorld();
    baseImages = world.sim.state().images.map((image) => image.id);
  });
  after(async () => world.close());
  beforeEach(() => world.sim.clearFaults());

  const baseImageId = () => world.sim.state().images.find((i) => i.name === IMAGE)?.id;

  async function refresh(extra: Record<string, unknown> = {}, beforeEachStep?: DriveHook) {
    const before = await listImages(world.db);
    await world.drive(refreshRequest(extra), { beforeEach: beforeEachStep });
    const rows = await listImages(world.db);
    const fresh = rows.filter((row) => !before.some((old) => old.id === row.id));
    assert.equal(fresh.length, 1, 'one refresh, one image row');
    return fresh[0] as SnapshotImage;
  }

  async function spawnedFrom(): Promise<string | undefined> {
    const node = await world.db.transaction((trx) =>
      insertRequestedNode(trx, { provider: PROVIDER, label: IMAGE, target: 'test-jenkins',
        az: null }, world.ctx.now(), (id) => ({ hostname: `${IMAGE}-${id}`,
        nodeName: `${IMAGE}-${id}` })),
    );
    const outcome = await spawnNode(world.ctx, node.id);
    const server = outcome.summary.server as string;
    return world.sim.state().servers.find((s) => s.id === server)?.imageId;
  }

  /** No server but nodes' own, and no image but the base and the ready snapshots. */
  async function assertNothingLeftBehind() {
    const state = world.sim.state();
    const templates = state.servers.filter((s) => s.metadata['whiskpool-image-id'] !== undefined);
    assert.deepEqual(templates.map((s) => s.name), [], 'template servers left');

    const ready = await listImages(world.db, { states: ['ready'] });
    const expected = [...baseImages, ...ready.map((image) => image.externalId)].sort();
    assert.deepEqual(state.images.map((image) => image.id).sort(), expected, 'cloud images');
  }

  it('boots the base image, sets it up, snapshots it and switches new machines to it',
    async () => {
      assert.equal(await spawnedFrom(), baseImageId(), 'without a snapshot, the base image');
      process.env.NODEPOOL_SSH_KEY = "ssh-rsa AAAA it's a key";

      const image = await refresh();
      delete process.env.NODEPOOL_SSH_KEY;

      assert.equal(image.state, 'ready');
      assert.equal(image.hostname, `${IMAGE}-${image.version}`);
      assert.equal(image.error, null);
      const snapshot = await world.ctx.cloud(PROVIDER).getImage(image.externalId ?? '');
      assert.equal(snapshot?.status, 'active');
      assert.equal(snapshot?.name, image.hostname);
      assert.deepEqual(JSON.parse(snapshot?.properties.properties ?? '{}'), { show: 'true' });

      const template = world.sim.state().history.find((h) => h.id === image.serverExternalId);
      assert.ok(template, 'the template server was created');
      assert.ok(template.deletedAt !== undefined, 'and deleted');
      const server = world.sim.state().history.find((h) => h.id === image.serverExternalId);
      assert.equal(server?.name, image.hostname);

      const scripts = readdirSync(SCRIPT_DIR).sort();
      assert.deepEqual(
        world.sim.files(image.serverExternalId ?? ''),
        scripts.map((name) => ({
          user: 'jenkins',
          path: `/home/jenkins/scripts/${name}`,
          size: scriptFile(name).length,
          sha256: sha256(scriptFile(name)),
        })),
      );
      const commands = world.sim.commands(image.serverExternalId ?? '');
      const looks = ['cat /tmp/whiskpool-setup/status', 'test -d /tmp/whiskpool-setup'];
      assert.deepEqual(commands.slice(1).filter((command) => !looks.includes(command)), [
        'sudo mkdir -p /etc/nodepool',
        'sudo chmod 0777 /etc/nodepool',
        'mkdir -p scripts',
        'sudo rm -rf /opt/nodepool-scripts && sudo mv scripts /opt/nodepool-scripts',
        'sudo chmod -R a+rx /opt/nodepool-scripts',
        startSetupCommand('setup_node.sh', image.hostname ?? '', {
          NODEPOOL_SSH_KEY: "ssh-rsa AAAA it's a key",
        }),
        'rm -rf /tmp/whiskpool-setup && sync && sleep 5',
      ]);
      assert.equal(commands[0], looks[1], 'a setup started before is looked for first');
      assert.equal(commands.at(-2), looks[0], 'the status was read before the cleanup');

      assert.equal(await spawnedFrom(), image.externalId, 'new machines boot the snapshot');
      await assertNothingLeftBehind();
    });

  it('boots the template from the base image with the flavor of min-ram and name-filter',
    async () => {
      let template: SimServerState | undefined;
      const image = await refresh({}, () => {
        template ??= world.sim.state().servers.find((s) => s.metadata['whiskpool-image-id']);
      });

      assert.ok(template);
      assert.equal(template.imageId, baseImageId());
      // m1.medium: the smallest flavor with at least min-ram whose name holds the filter.
      assert.equal(template.flavorId, '3');
      assert.equal(template.metadata['whiskpool-image-id'], String(image.id));
      assert.equal(template.metadata['whiskpool-pool'], 'whiskpool-test');
    });

  it('ends a refresh whose setup script fails, cleans up and keeps the old image', async () => {
    const current = await refresh();
    world.sim.setCommandExitCode('./setup_node.sh', 3);
    try {
      const failed = await refresh();

      assert.equal(failed.state, 'deleted');
      assert.match(
        failed.error ?? '',
        /setup script setup_node.sh exited 3 as jenkins: simulated job exited 3$/,
        "the script's last words are in the reason",
      );
      assert.equal((await newestReadyImage(world.db, PROVIDER, IMAGE))?.id, current.id);
      assert.equal(await spawnedFrom(), current.externalId);
      await assertNothingLeftBehind();
    } finally {
      world.sim.setCommandExitCode('./setup_node.sh', 0);
    }
  });

  it('looks at a setup script that outlives one step until it ends, then snapshots',
    async () => {
      world.sim.setJobDuration(400);
      const looks: string[] = [];
      try {
        const image = await refresh({}, (message) => {
          const step = (message.data as { step?: string }).step;
          if (step === 'setup-wait') looks.push(step);
        });

        assert.equal(image.state, 'ready');
        assert.ok(looks.length >= 3, `looked ${looks.length} times`);
        const commands = world.sim.commands(image.serverExternalId ?? '');
        const starts = commands.filter((command) => command.includes('./setup_node.sh'));
        assert.equal(starts.length, 1, 'started once, looked at many times');
        assert.equal(commands.at(-1), 'rm -rf /tmp/whiskpool-setup && sync && sleep 5');
        await assertNothingLeftBehind();
      } finally {
        world.sim.setJobDuration(0);
      }
    });

  it('ends a refresh whose setup script vanished with a reboot of the template', async () => {
    world.sim.setJobDuration(3_600_000);
    try {
      const failed = await refresh({}, (message) => {
        if ((message.data as { step?: string }).step !== 'setup-wait') return;
        // What a reboot does to the job: /tmp is emptied, the script is gone.
        const template = world.sim.state().servers.find((s) => s.metadata['whiskpool-image-id']);
        world.sim.rebootMachine(template?.id ?? '');
      });

      assert.equal(failed.state, 'deleted');
      assert.match(failed.error ?? '', /setup script setup_node.sh is gone from the template/);
      await assertNothingLeftBehind();
    } finally {
      world.sim.setJobDuration(0);
    }
  });

  it('gives up a setup script still running after three hours, keeping the old image',
    async () => {
      const current = await newestReadyImage(world.db, PROVIDER, IMAGE);
      world.sim.setJobDuration(3_600_000);
      let looks = 0;
      try {
        const failed = await refresh({}, (message) => {
          const step = (message.data as { step?: string }).step;
          if (step === 'setup-wait' && ++looks === 3) world.skew(SETUP_TIMEOUT_MS + 1000);
        });

        assert.equal(failed.state, 'deleted');
        assert.match(failed.error ?? '', /setup script setup_node.sh still ran after 3 h/);
        assert.equal((await newestReadyImage(world.db, PROVIDER, IMAGE))?.id, current?.id);
        await assertNothingLeftBehind();
      } finally {
        world.sim.setJobDuration(0);
      }
    });

  for (const timeout of [
    { name: "Nodepool's six hours", seconds: undefined, skewMs: IMAGE_TIMEOUT_SECONDS * 1000 },
    { name: 'the timeout the request gave', seconds: 90, skewMs: 90_000 },
  ]) {
    it(`gives up a snapshot stuck in saving after ${timeout.name} and deletes it`, async () => {
      const current = await newestReadyImage(world.db, PROVIDER, IMAGE);
      world.sim.stickSnapshots({ count: 1 });
      let waits = 0;

      const failed = await refresh({ timeoutSeconds: timeout.seconds }, (message) => {
        const step = (message.data as { step?: string }).step;
        if (step === 'wait-image' && ++waits === 3) world.skew(timeout.skewMs + 1000);
      });

      assert.equal(failed.state, 'deleted');
      const limit = timeout.seconds ?? IMAGE_TIMEOUT_SECONDS;
      assert.match(failed.error ?? '', new RegExp(`still saving after ${limit} s`));
      assert.ok(waits >= 3, 'it waited before it gave up');
      assert.equal((await newestReadyImage(world.db, PROVIDER, IMAGE))?.id, current?.id);
      await assertNothingLeftBehind();
    });
  }

  it('ends a refresh whose snapshot Glance kills, and deletes the snapshot', async () => {
    const current = await newestReadyImage(world.db, PROVIDER, IMAGE);
    world.sim.failSnapshots({ count: 1 });

    const failed = await refresh();

    assert.equal(failed.state, 'deleted');
    assert.match(failed.error ?? '', /Glance says snapshot .* is killed/);
    assert.ok(failed.externalId, 'the killed snapshot was known');
    assert.equal(await world.ctx.cloud(PROVIDER).getImage(failed.externalId ?? ''), null);
    assert.equal((await newestReadyImage(world.db, PROVIDER, IMAGE))?.id, current?.id);
    await assertNothingLeftBehind();
  });

  it('ends a refresh whose template server goes to ERROR, and deletes the server', async () => {
    world.sim.failBoots({ count: 1, message: 'No valid host was found.' });
    const failed = await refresh();
    assert.equal(failed.state, 'deleted');
    assert.match(failed.error ?? '', /template server went to ERROR: No valid host/);
    await assertNothingLeftBehind();
  });

  it('ends a refresh whose private key cannot be read, and deletes the template', async () => {
    const key = join(world.dir, 'id_ed25519');
    renameSync(key, `${key}.away`);
    try {
      const failed = await refresh();
      assert.equal(failed.state, 'deleted');
      assert.match(failed.error ?? '', /private-key .*id_ed25519 cannot be read/);
      await assertNothingLeftBehind();
    } finally {
      renameSync(`${key}.away`, key);
    }
  });

  it('runs one of two refreshes of the same image started at once', async () => {
    const createdBefore = world.sim.state().everCreated;
    const before = await listImages(world.db);

    const outcomes = await Promise.all([
      world.drive(refreshRequest({ reason: 'cron' })),
      world.drive(refreshRequest({ reason: 'operator' })),
    ]);

    const answers = outcomes.map((run) => run[0]?.summary.outcome).sort();
    assert.deepEqual(answers, ['already-refreshing', 'started']);
    const rows = (await listImages(world.db)).filter((r) => !before.some((b) => b.id === r.id));
    assert.deepEqual(rows.map((row) => row.state), ['ready']);
    assert.equal(world.sim.state().everCreated - createdBefore, 1, 'one template server');
    await assertNothingLeftBehind();
  });

  it('keeps the current and the previous ready image and deletes older ones in the cloud',
    async () => {
      const made: SnapshotImage[] = [];
      for (let i = 0; i < 3; i++) made.push(await refresh());
      const [oldest, previous, current] = made as [SnapshotImage, SnapshotImage, SnapshotImage];

      const ready = await listImages(world.db, { states: ['ready'] });
      assert.deepEqual(ready.map((r) => r.id), [previous.id, current.id]);
      const rows = await listImages(world.db);
      assert.equal(rows.find((row) => row.id === oldest.id)?.state, 'deleted');
      assert.equal(await world.ctx.cloud(PROVIDER).getImage(oldest.externalId ?? ''), null);
      assert.ok(await world.ctx.cloud(PROVIDER).getImage(previous.externalId ?? ''));
      assert.equal(await spawnedFrom(), current.externalId);
      assert.ok(current.version > previous.version && previous.version > oldest.version);
      await assertNothingLeftBehind();
    });

  it("keeps a running refresh's template from the leak sweep, and sweeps an orphaned one",
    async () => {
      const setup = await driveUntilStep(world, 'setup');
      const { imageId } = setup.data as { imageId: number };
      const running = (await listImages(world.db)).find((row) => row.id === imageId);
      const orphan = await world.ctx.cloud(PROVIDER).createServer({
        name: 'ci-jessie-wikimedia-1449489240',
        imageId: baseImageId() ?? '',
        flavorId: '3',
        metadata: templateMetadata({ poolId: 'whiskpool-test', imageId: '9999',
          provider: PROVIDER, imageName: IMAGE }),
      });

      await sweep(world.ctx);
      await sweep(world.ctx);

      const servers = world.sim.state().servers.map((server) => server.id);
      assert.ok(servers.includes(running?.serverExternalId ?? ''), 'the running template stays');
      assert.ok(!servers.includes(orphan.id), 'the orphaned template is gone');
      await world.drive(setup);
      assert.equal((await listImages(world.db)).find((row) => row.id === imageId)?.state,
        'ready');
      await assertNothingLeftBehind();
    });

  it('ends a refresh that stopped moving when the next request comes', async () => {
    // The step messages of this one are lost, as if parked after too many failures.
    const [lost] = await world.drive(refreshRequest(), { onlyFirst: true });
    const stuck = lost?.summary.image as number;

    const early = await world.drive(refreshRequest(), { onlyFirst: true });
    assert.equal(early[0]?.summary.outcome, 'already-refreshing', 'not while it may move');

    world.skew(16 * 60_000);
    const [retried] = await world.drive(refreshRequest());
    assert.equal(retried?.summary.outcome, 'started');
    const rows = await listImages(world.db);
    const old = rows.find((row) => row.id === stuck);
    assert.equal(old?.state, 'deleted');
    assert.match(old?.error ?? '', /abandoned at step boot/);
    assert.equal(rows.find((row) => row.id === retried?.summary.image)?.state, 'ready');
    await assertNothingLeftBehind();
  });
});

describe('snapshot image refresh: logins, base images by id, redelivered steps', () => {
  const DEBIAN = '8c6d1f9e-0b7a-4c52-9a2e-3b1f0d9c1a77';
  let world: ImageWorld;

  before(async () => {
    world = await startImageWorld(
      {
        // A distribution's cloud image: only its own user may log in.
        ssh: { usernames: ['centos'] },
        images: [{ name: IMAGE }, { id: DEBIAN, name: 'Debian 8.2 Jessie' }],
      },
      (keyPath) => `      - name: ci-debian
        base-image: '${DEBIAN}'
        min-ram: 8192
        private-key: ${keyPath}
`,
    );
  });
  after(async () => world.close());

  it("logs in as Nodepool's fallback users when the image's user is refused", async () => {
    await world.drive(refreshRequest());
    const [image] = await listImages(world.db);
    assert.equal(image?.state, 'ready');
    const files = world.sim.files(image?.serverExternalId ?? '');
    assert.ok(files.length > 0);
    assert.ok(files.every((file) => file.user === 'centos'), JSON.stringify(files));
  });

  it('takes a UUID-shaped base image as an image id', async () => {
    let flavor: string | undefined;
    let base: string | undefined;
    await world.drive(refreshRequest({ image: 'ci-debian' }), {
      beforeEach: () => {
        const template = world.sim.state().servers.find((s) => s.name.startsWith('ci-debian-'));
        flavor ??= template?.flavorId;
        base ??= template?.imageId;
      },
    });
    const images = await listImages(world.db, { states: ['ready'] });
    assert.ok(images.some((image) => image.imageName === 'ci-debian'));
    assert.equal(base, DEBIAN);
    assert.equal(flavor, '4', 'm1.large: the smallest with 8192 MiB');
  });

  it('runs a step once when its message is delivered twice at once', async () => {
    const message = await driveUntilStep(world, 'setup');

    const runs = await Promise.all([
      world.drive(message, { onlyFirst: true }),
      world.drive(message, { onlyFirst: true }),
    ]);
    const outcomes = runs.map(([outcome]) => outcome?.summary.outcome);
    assert.equal(outcomes.filter((o) => o === 'setup-started').length, 1, String(outcomes));
    assert.ok(outcomes.some((o) => o === 'step-busy' || o === 'moved-on'), String(outcomes));

    await world.drive(runs.flatMap(([outcome]) => outcome?.events ?? []));
    const { imageId } = message.data as { imageId: number };
    const image = (await listImages(world.db)).find((row) => row.id === imageId);
    assert.equal(image?.state, 'ready');
    const setups = world.sim.commands(image?.serverExternalId ?? '')
      .filter((command) => command.includes('./setup_node.sh'));
    assert.equal(setups.length, 1, 'the setup script ran once');
  });

  it('moves on once when the look that saw the script end is delivered again', async () => {
    const message = await driveUntilStep(world, 'setup-wait');
    const { imageId } = message.data as { imageId: number };
    const [first] = await world.drive(message, { onlyFirst: true });
    assert.equal(first?.summary.outcome, 'set-up', 'the job had ended');

    // JetStream hands the same message out again: the job's files are gone by now.
    const [again] = await world.drive(message, { onlyFirst: true });
    assert.equal(again?.summary.outcome, 'moved-on');

    await world.drive(first?.events ?? []);
    const image = (await listImages(world.db)).find((row) => row.id === imageId);
    assert.equal(image?.state, 'ready');
  });

  it('leaves a started setup script alone when the setup step runs again', async () => {
    const message = await driveUntilStep(world, 'setup');
    const { imageId } = message.data as { imageId: number };
    const [row] = (await listImages(world.db)).filter((image) => image.id === imageId);
    const server = world.sim.state().servers.find((s) => s.id === row?.serverExternalId);
    // What the step did before it died: it started the script; the row never heard of it.
    const started = await sshExec({
      port: Number(server?.metadata['ssh-port']),
      username: 'centos',
      privateKey: readFileSync(join(world.dir, 'id_ed25519'), 'utf8'),
      command: startSetupCommand('setup_node.sh', row?.hostname ?? '', {}),
    });
    assert.equal(started.code, 0);

    const [outcome] = await world.drive(message, { onlyFirst: true });
    assert.equal(outcome?.summary.outcome, 'setup-started');
    const commands = world.sim.commands(row?.serverExternalId ?? '');
    assert.deepEqual(commands.slice(-1), ['test -d /tmp/whiskpool-setup'], 'nothing replaced');

    await world.drive(outcome?.events ?? []);
    const image = (await listImages(world.db)).find((found) => found.id === imageId);
    assert.equal(image?.state, 'ready');
  });

  it('takes no second snapshot when the step died after Nova answered', async () => {
    const message = await driveUntilStep(world, 'snapshot');
    const { imageId } = message.data as { imageId: number };
    const [row] = (await listImages(world.db)).filter((image) => image.id === imageId);
    const cloud = world.ctx.cloud(PROVIDER);
    // What the step did before it died: Nova took the snapshot; the row never heard of it.
    const orphan = await cloud.createImage(row?.serverExternalId ?? '', row?.hostname ?? '', {});

    await world.drive(message);

    const image = (await listImages(world.db)).find((found) => found.id === imageId);
    assert.equal(image?.state, 'ready');
    assert.equal(image?.externalId, orphan.id);
    const named = world.sim.state().images.filter((found) => found.name === row?.hostname);
    assert.deepEqual(named.map((found) => found.id), [orphan.id], 'one snapshot of the template');
  });
});

type DriveHook = (message: FollowUp) => void;
