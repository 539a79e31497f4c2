import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { runImageUpdate } from '../../cli/commands/images.ts';
import { openPoolSession, type PoolSession } from '../../cli/pool-session.ts';
import type { LocalStack } from '../../deploy/local-stack.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { followUp } from '../../lib/pool/follow-ups.ts';
import { listImages } from '../../lib/image/index.ts';
import { createLogger } from '../../lib/log.ts';
import { listNodes } from '../../lib/node/repository.ts';
import { writeTestPool, type TestPool } from '../support/pool-config.ts';
import { startTestStack } from '../support/test-stack.ts';
import { waitFor } from '../support/wait.ts';

const LABEL = 'ci-jessie-wikimedia';
const SCRIPTS = fileURLToPath(new URL('../../config/scripts', import.meta.url));

interface CloudState {
  servers: { id: string; name: string; imageId: string; metadata: Record<string, string> }[];
  images: { id: string; status: string }[];
  history: { id: string; files: { path: string }[]; commands: string[] }[];
}

describe('a snapshot image refresh through the whole local stack', { timeout: 120_000 }, () => {
  let pool: TestPool;
  let stack: LocalStack;
  let session: PoolSession;

  before(async () => {
    pool = await writeTestPool({ labels: [{ name: LABEL, minReady: 1 }], maxServers: 3 });
    cpSync(SCRIPTS, join(pool.dir, 'scripts'), { recursive: true });
    const { config } = await loadConfig(pool.configPath);
    const log = createLogger({ name: 'test', level: 'warn' });
    stack = await startTestStack(pool, config);
    session = await openPoolSession(config, log);
  });

  after(async () => {
    await session?.close();
    await stack?.stop();
  });

  it('snapshots the image on request and boots new machines from the snapshot', async () => {
    await waitFor('a ready machine from the base image', 30_000, async () =>
      (await listNodes(session.db, { states: ['ready'] })).length >= 1, pool.logsDir);
    const [first] = await listNodes(session.db, { states: ['ready'] });

    await runImageUpdate(session, 'all', LABEL);
    await waitFor('a ready snapshot', 60_000, async () =>
      (await listImages(session.db, { states: ['ready'] })).length === 1, pool.logsDir);
    const [image] = await listImages(session.db, { states: ['ready'] });
    assert.ok(image?.externalId);

    // The machine from before the snapshot goes; its replacement boots the snapshot.
    await session.publish([followUp.delete(first?.id ?? 0, 'operator')]);
    let replacement: string | undefined;
    await waitFor('a ready machine from the snapshot', 30_000, async () => {
      const ready = await listNodes(session.db, { states: ['ready'] });
      const cloud = await cloudState(pool);
      replacement = ready
        .map((node) => cloud.servers.find((s) => s.id === node.externalId))
        .find((server) => server?.imageId === image.externalId)?.id;
      return replacement !== undefined;
    }, pool.logsDir);

    const cloud = await cloudState(pool);
    assert.deepEqual(
      cloud.servers.filter((s) => s.metadata['whiskpool-image-id']).map((s) => s.name),
      [],
      'no template server is left',
    );
    assert.equal(cloud.images.find((i) => i.id === image.externalId)?.status, 'active');
    const template = cloud.history.find((h) => h.id === image.serverExternalId);
    assert.deepEqual(
      template?.files.map((f) => f.path.split('/').pop()).sort(),
      ['ready.sh', 'setup_node.sh'],
    );
  });
});

async function cloudState(pool: TestPool): Promise<CloudState> {
  const response = await fetch(`${pool.openstackUrl}/_sim/state`);
  return (await response.json()) as CloudState;
}
