import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openStackClientFor } from '../../../lib/actions/clients.ts';
import type { CloudProvider } from '../../../lib/cloud/provider.ts';
import { loadConfig } from '../../../lib/config/index.ts';
import { openDatabase, type Database } from '../../../lib/db/connect.ts';
import { migrateLatest } from '../../../lib/db/migrate.ts';
import type { FollowUp } from '../../../lib/events/messages.ts';
import { Subject } from '../../../lib/events/subjects.ts';
import { handleImageEvent } from '../../../lib/image/index.ts';
import { createLogger } from '../../../lib/log.ts';
import type { PoolContext, StepOutcome } from '../../../lib/pool/context.ts';
import { runCommands } from '../../../lib/ssh/session.ts';
import { newEd25519KeyPair } from '../../../lib/ssh/keys.ts';
import {
  startOpenStackSim,
  type OpenStackSim,
  type OpenStackSimOptions,
} from '../../../sim/openstack/index.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** The repository's own script-dir: setup_node.sh and ready.sh. */
export const SCRIPT_DIR = join(ROOT, 'config/scripts');

const log = createLogger({ name: 'test.image', level: 'silent' });

export interface ImageWorld {
  dir: string;
  sim: OpenStackSim;
  db: Database;
  ctx: PoolContext;
  /** Moves the pool's clock, to get past a timeout without waiting it out. */
  skew(ms: number): void;
  /** Every message steps asked to publish, in order. */
  published: FollowUp[];
  /**
   * Plays the dispatcher: handles `first` and every follow-up it leads to, asking again
   * (after a short pause) whatever a step asks to have asked again, until nothing is left.
   */
  drive(first: FollowUp | FollowUp[], options?: DriveOptions): Promise<StepOutcome[]>;
  close(): Promise<void>;
}

export interface DriveOptions {
  /** Called before each handling, e.g. to move the clock. */
  beforeEach?(message: FollowUp): void;
  /** Handle `first` only, and drop what it leads to, as if those messages were lost. */
  onlyFirst?: boolean;
  timeoutMs?: number;
}

/**
 * Wikimedia's 2015 provider image as on labnodepool1001 (template-hostname, base image,
 * meta, min-ram, name-filter, setup script, user), on the OpenStack stand-in, with state in
 * a fresh SQLite file and the repository's config/scripts as script-dir.
 */
export async function startImageWorld(
  simOptions: OpenStackSimOptions = {},
  moreImages: (keyPath: string) => string = () => '',
): Promise<ImageWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-image-'));
  const key = newEd25519KeyPair();
  writeFileSync(join(dir, 'id_ed25519'), key.private, { mode: 0o600 });

  const sim = await startOpenStackSim({
    username: 'nodepoolmanager',
    password: 'test-cloud-password',
    projectName: 'contintcloud',
    bootDelayMs: 20,
    snapshotDelayMs: 40,
    maxInstances: -1,
    ssh: { authorizedKey: key.public },
    ...simOptions,
  });

  const configPath = join(dir, 'nodepool.yaml');
  writeFileSync(configPath, worldYaml(dir, sim.url, moreImages(join(dir, 'id_ed25519'))));
  const { config } = await loadConfig(configPath);
  const db = openDatabase({ url: `sqlite:${join(dir, 'state.sqlite')}` });
  await migrateLatest(db);

  let skew = 0;
  const clouds = new Map<string, CloudProvider>();
  const ctx: PoolContext = {
    db,
    config,
    log,
    now: () => Date.now() + skew,
    cloud(name) {
      let client = clouds.get(name);
      if (!client) {
        client = openStackClientFor(config, name, log);
        clouds.set(name, client);
      }
      return client;
    },
    jenkins: () => null,
    ssh: runCommands,
    readPrivateKey: (path) => readFile(path),
    targetOnline: async () => true,
  };

  const published: FollowUp[] = [];

  async function drive(first: FollowUp | FollowUp[], options: DriveOptions = {}) {
    const queue = Array.isArray(first) ? [...first] : [first];
    const outcomes: StepOutcome[] = [];
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);

    while (queue.length > 0) {
      if (Date.now() > deadline) throw new Error(`messages still pending: ${describe(queue)}`);
      const message = queue.shift() as FollowUp;
      options.beforeEach?.(message);
      const outcome = await handleImageEvent(ctx, message.subject, message.data);
      outcomes.push(outcome);
      published.push(...outcome.events);
      if (options.onlyFirst) break;
      queue.push(...outcome.events);
      if (outcome.retryAfterMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        queue.push(message);
      }
    }
    return outcomes;
  }

  return {
    dir,
    sim,
    db,
    ctx,
    skew: (ms) => (skew += ms),
    published,
    drive,
    async close() {
      await db.destroy();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Drives a refresh until its message for `step` is out, and returns that message unhandled,
 * as if the dispatcher had not got to it yet.
 */
export async function driveUntilStep(world: ImageWorld, step: string): Promise<FollowUp> {
  let message = refreshRequest();
  for (;;) {
    const [outcome] = await world.drive(message, { onlyFirst: true });
    if (outcome?.retryAfterMs !== undefined) continue;
    const next = outcome?.events[0];
    if (!next) throw new Error(`the refresh ended before ${step}: ${JSON.stringify(outcome)}`);
    message = next;
    if ((message.data as { step?: string }).step === step) return message;
  }
}

/** A refresh request as the cron, an operator or reconcile would publish it. */
export function refreshRequest(extra: Record<string, unknown> = {}): FollowUp {
  return {
    subject: Subject.ImageRefresh,
    data: { provider: 'wmflabs-eqiad', image: 'ci-jessie-wikimedia', reason: 'test', ...extra },
    id: 'test',
  };
}

export function scriptFile(name: string): Buffer {
  return readFileSync(join(SCRIPT_DIR, name));
}

function describe(queue: FollowUp[]): string {
  return queue.map((m) => `${m.subject} ${JSON.stringify(m.data)}`).join(', ');
}

function worldYaml(dir: string, authUrl: string, moreImages: string): string {
  return `pool-id: whiskpool-test
script-dir: ${SCRIPT_DIR}
database: sqlite:${join(dir, 'state.sqlite')}
zmq-publishers: []
targets:
  - name: test-jenkins
    hostname: '{label.name}-{node_id}'
labels:
  - name: ci-jessie-wikimedia
    image: ci-jessie-wikimedia
    ready-script: ready.sh
    min-ready: 1
    providers:
      - name: wmflabs-eqiad
providers:
  - name: wmflabs-eqiad
    region-name: RegionOne
    auth-url: ${authUrl}
    username: nodepoolmanager
    password: test-cloud-password
    project-name: contintcloud
    boot-timeout: 300
    launch-timeout: 60
    max-servers: 20
    rate: 0
    template-hostname: '{image.name}-{timestamp}'
    images:
      - name: ci-jessie-wikimedia
        base-image: ci-jessie-wikimedia
        meta:
            properties:
                show: 'true'
        min-ram: 0
        name-filter: 'm1.medium'
        setup: setup_node.sh
        username: jenkins
        private-key: ${join(dir, 'id_ed25519')}
${moreImages}`;
}
