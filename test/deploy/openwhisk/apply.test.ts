import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { actionSettings } from '../../../cli/config-file.ts';
import {
  applyChanges,
  describeChanges,
  planChanges,
  type Change,
} from '../../../deploy/openwhisk/apply.ts';
import { createWhiskApi, type WhiskApi } from '../../../deploy/openwhisk/client.ts';
import { undeploy } from '../../../deploy/openwhisk/deploy.ts';
import { planDeployment, type DeploymentPlan } from '../../../deploy/openwhisk/plan.ts';
import { parseConfig } from '../../../lib/config/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { startOpenWhiskSim, type OpenWhiskSim } from '../../../sim/openwhisk/index.ts';

const API_KEY = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:test-key-not-a-secret';
const log = createLogger({ name: 'test', level: 'silent' });

const YAML = `pool-id: whiskpool-test
database: mysql://whiskpool:db-password-42@127.0.0.1:9/whiskpool
cron: {cleanup: '*/5 * * * *', image-update: '14 2 * * *'}
zmq-publishers: []
targets:
  - name: t
    jenkins: {url: 'http://127.0.0.1:9/', user: u, apikey: jenkins-key-42}
labels:
  - {name: jessie, image: jessie, min-ready: 1, providers: [{name: cloud}]}
providers:
  - name: cloud
    auth-url: http://127.0.0.1:9/identity/v3
    username: u
    password: cloud-password-42
    project-name: p
    max-servers: 2
    images: [{name: jessie, base-image: jessie, min-ram: 0}]
`;
const SECRETS = ['db-password-42', 'jenkins-key-42', 'cloud-password-42'];

function plan(
  actions = ['reconcile', 'spawn'],
  yaml = YAML,
  code = (name: string) => `exports.main = () => ({ action: '${name}' })`,
): DeploymentPlan {
  const settings = actionSettings(parseConfig(yaml, 'test.yaml'));
  const bundles = actions.map((action) => ({ action, code: code(action) }));
  return planDeployment({ packageName: 'whiskpool', settings, bundles });
}

function kinds(changes: readonly Change[]) {
  return changes.map((c) => `${c.change} ${c.entity} ${c.name}`);
}

describe('deploying to OpenWhisk', () => {
  let sim: OpenWhiskSim;
  let api: WhiskApi;

  before(async () => {
    sim = await startOpenWhiskSim({ apiKey: API_KEY, log });
    api = createWhiskApi({ apihost: sim.url, apiKey: API_KEY });
  });
  after(async () => sim.close());

  async function deploy(wanted: DeploymentPlan) {
    const changes = await planChanges(api, wanted);
    await applyChanges(changes);
    return changes;
  }

  it('creates the package, each action, and an alarm trigger and rule for the sweep', async () => {
    const changes = await deploy(plan());
    assert.deepEqual(kinds(changes), [
      'create package whiskpool',
      'create action whiskpool/reconcile',
      'create action whiskpool/spawn',
      'create trigger whiskpool-sweep',
      'create alarm whiskpool-sweep',
      'create rule whiskpool-sweep',
    ]);
    assert.deepEqual(sim.alarms(), [
      {
        trigger: '/guest/whiskpool-sweep',
        cron: '*/5 * * * *',
        payload: { subject: 'whiskpool.tick.sweep', event: { reason: 'cron cleanup', at: 0 } },
        active: true,
      },
    ]);
    const action = sim.store.actions.get('guest/whiskpool/spawn');
    assert.deepEqual(action?.limits, { timeout: 60_000, memory: 256, logs: 10, concurrency: 8 });
    assert.deepEqual(sim.refusals(), []);
  });

  it('changes nothing the second time, and says so', async () => {
    const versions = [...sim.store.actions.values()].map((a) => a.version);
    const changes = await deploy(plan());
    assert.ok(changes.every((c) => c.change === 'unchanged'));
    assert.equal(describeChanges(changes).pop(), 'no change');
    assert.deepEqual([...sim.store.actions.values()].map((a) => a.version), versions);
  });

  it('updates only what differs: new code, and a new schedule through the feed', async () => {
    const cron = YAML.replace("cleanup: '*/5 * * * *'", "cleanup: '*/2 * * * *'");
    const first = (name: string) => `exports.main = () => ({ action: '${name}' })`;
    const second = 'exports.main = () => ({ v: 2 })';
    const code = (name: string) => (name === 'spawn' ? second : first(name));
    const changed = plan(['reconcile', 'spawn'], cron, code);
    const changes = await deploy(changed);
    assert.deepEqual(
      kinds(changes).filter((line) => !line.startsWith('unchanged')),
      ['update package whiskpool', 'update action whiskpool/spawn', 'update alarm whiskpool-sweep'],
    );
    assert.equal(sim.alarms()[0]?.cron, '*/2 * * * *');
  });

  it('adds the image-update alarm only with an image-refresh action', async () => {
    const changes = await deploy(plan(['reconcile', 'spawn', 'image-refresh']));
    const created = kinds(changes).filter((line) => line.startsWith('create'));
    assert.deepEqual(created, [
      'create action whiskpool/image-refresh',
      'create trigger whiskpool-image-refresh',
      'create alarm whiskpool-image-refresh',
      'create rule whiskpool-image-refresh',
    ]);
  });

  it('removes what an earlier deployment made and this one no longer has', async () => {
    const changes = await deploy(plan(['reconcile', 'spawn']));
    assert.deepEqual(
      kinds(changes).filter((line) => line.startsWith('delete')),
      [
        'delete rule whiskpool-image-refresh',
        'delete alarm whiskpool-image-refresh',
        'delete trigger whiskpool-image-refresh',
        'delete action whiskpool/image-refresh',
      ],
    );
    assert.equal(sim.alarms().length, 1);
  });

  it('shows no secret in what it prints', async () => {
    const text = describeChanges(await planChangesOffline(plan())).join('\n');
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} shown`);
  });

  it('undeploys what it created and leaves entities it did not create alone', async () => {
    await api.putTrigger('whiskpool-by-hand', []);
    const changes = await undeploy({ target: { apihost: sim.url, apiKey: API_KEY }, log }, api);
    assert.ok(changes.every((c) => c.change === 'delete'));
    assert.deepEqual(sim.store.counts(), { packages: 0, actions: 0, triggers: 1, rules: 0 });
    assert.deepEqual(sim.alarms(), []);
    assert.ok(sim.store.triggers.has('guest/whiskpool-by-hand'));
  });
});

/** The changes of a plan against an empty namespace, without any server. */
function planChangesOffline(wanted: DeploymentPlan): Promise<Change[]> {
  const nothing = async () => null;
  const offline = {
    getPackage: nothing,
    getAction: nothing,
    getTrigger: nothing,
    getRule: nothing,
    readFeed: nothing,
    listRules: async () => [],
    listTriggers: async () => [],
  } as unknown as WhiskApi;
  return planChanges(offline, wanted);
}
