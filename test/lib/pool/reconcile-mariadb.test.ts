import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { parseConfig } from '../../../lib/config/index.ts';
import { openDatabase, type Database } from '../../../lib/db/connect.ts';
import { migrateLatest } from '../../../lib/db/migrate.ts';
import { createLogger } from '../../../lib/log.ts';
import type { PoolContext } from '../../../lib/pool/context.ts';
import { saveDemand } from '../../../lib/pool/demand.ts';
import { reconcile } from '../../../lib/pool/reconcile.ts';
import { mariadbSkip, startTestMariaDb, type TestMariaDb } from '../../support/mariadb.ts';

const skip = mariadbSkip();
const MAX_SERVERS = 6;
const AT_ONCE = 20;
const LABELS = ['ci-jessie-wikimedia', 'ci-trusty-wikimedia'];

const YAML = `pool-id: whiskpool-test
zmq-publishers: []
targets:
  - name: test-jenkins
    hostname: '{label.name}-{node_id}'
labels:
${LABELS.map((l) => `  - {name: ${l}, image: ${l}, min-ready: 2, providers: [{name: cloud}]}`)
  .join('\n')}
providers:
  - name: cloud
    auth-url: http://127.0.0.1:9/identity/v3
    username: nodepoolmanager
    password: test-cloud-password
    project-name: contintcloud
    max-servers: ${MAX_SERVERS}
    images:
${LABELS.map((l) => `      - {name: ${l}, base-image: ${l}, min-ram: 0}`).join('\n')}
`;

describe('allocation on MariaDB under concurrency', { skip }, () => {
  let mariadb: TestMariaDb;
  let url: string;
  const handles: Database[] = [];
  const log = createLogger({ name: 'test', level: 'silent' });
  const { config } = parseConfig(YAML, 'test.yaml');

  before(async () => {
    mariadb = await startTestMariaDb();
    url = await mariadb.createDatabase();
    const db = openDatabase({ url });
    handles.push(db);
    await migrateLatest(db);
  });

  after(async () => {
    await Promise.all(handles.map((db) => db.destroy()));
    await mariadb?.stop();
  });

  /** One context per invocation, each with its own connections, as separate containers have. */
  function invocation(): PoolContext {
    const db = openDatabase({ url, poolMax: 2 });
    handles.push(db);
    return {
      db,
      config,
      log,
      now: () => Date.now(),
      cloud: () => {
        throw new Error('reconcile calls no cloud');
      },
      jenkins: () => null,
      ssh: async () => [],
      readPrivateKey: async () => Buffer.alloc(0),
      targetOnline: async () => true,
    };
  }

  async function liveNodes(): Promise<{ id: number; label: string }[]> {
    return handles[0]!('nodes').whereNot('state', 'deleted').select('id', 'label');
  }

  it(`never exceeds max-servers with ${AT_ONCE} reconciles at once`, async () => {
    await saveDemand(handles[0]!, {
      labels: Object.fromEntries(LABELS.map((label) => [label, 40])),
      servers: ['127.0.0.1:4730'],
      at: Date.now(),
    });
    const contexts = Array.from({ length: AT_ONCE }, invocation);

    const outcomes = await Promise.all(contexts.map((ctx) => reconcile(ctx)));
    const requested = outcomes.reduce((sum, o) => sum + Number(o.summary.requested), 0);
    const nodes = await liveNodes();
    assert.equal(nodes.length, MAX_SERVERS, `${nodes.length} nodes for max-servers ${MAX_SERVERS}`);
    assert.equal(requested, MAX_SERVERS, 'the invocations together asked for exactly the room');
    assert.equal(new Set(nodes.map((n) => n.id)).size, nodes.length);
  });

  it('asks for nothing more when the same burst comes again', async () => {
    const contexts = Array.from({ length: AT_ONCE }, invocation);
    const outcomes = await Promise.all(contexts.map((ctx) => reconcile(ctx)));
    assert.deepEqual(
      outcomes.map((o) => o.summary.requested),
      Array.from({ length: AT_ONCE }, () => 0),
    );
    assert.equal((await liveNodes()).length, MAX_SERVERS);
  });
});
