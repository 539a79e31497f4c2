import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseConfig } from '../../../lib/config/index.ts';

/** The least a 2015 file could say; everything else comes from defaults. */
const MINIMAL = `
script-dir: /etc/nodepool/scripts
zmq-publishers: []
gearman-servers:
  - host: zuul.example.org
labels:
  - name: bare
    image: bare
    providers:
      - name: cloud
providers:
  - name: cloud
    username: nodepool
    password: secret
    project-id: ci
    auth-url: https://keystone.example.org:5000/v2.0
    max-servers: 5
    images:
      - name: bare
        base-image: Ubuntu
        min-ram: 2048
targets:
  - name: jenkins
`;

describe('defaults', () => {
  const { config, warnings } = parseConfig(MINIMAL, 'minimal.yaml');
  const [label] = config.labels;
  const [provider] = config.providers;
  const [image] = provider?.images ?? [];
  const [target] = config.targets;

  test('a minimal file loads without warnings', () => {
    assert.deepEqual(warnings, []);
  });

  test("labels get nodepool's min-ready of 2 and no subnodes", () => {
    assert.deepEqual(label, {
      name: 'bare',
      image: 'bare',
      minReady: 2,
      subnodes: 0,
      providers: ['cloud'],
    });
  });

  test("providers get nodepool's timeouts, rate and image type, and whiskpool's retries", () => {
    assert.equal(provider?.bootTimeout, 60);
    assert.equal(provider?.launchTimeout, 3600);
    assert.equal(provider?.rate, 1.0);
    assert.equal(provider?.imageType, 'qcow2');
    assert.equal(provider?.templateHostname, 'template-{image.name}-{timestamp}');
    assert.equal(provider?.ipv6Preferred, false);
    assert.deepEqual(provider?.networks, []);
    assert.deepEqual(provider?.availabilityZones, []);
    assert.equal(provider?.launchRetries, 3);
    assert.equal(provider?.hostKeyChecking, true);
    assert.equal(provider?.apiTimeout, undefined);
  });

  test('images log in as jenkins with the Jenkins key', () => {
    assert.equal(image?.username, 'jenkins');
    assert.equal(image?.userHome, '/home/jenkins');
    assert.equal(image?.privateKey, '/var/lib/jenkins/.ssh/id_rsa');
    assert.equal(image?.configDrive, false);
    assert.deepEqual(image?.meta, {});
  });

  test('targets name hosts by label, provider and node id', () => {
    assert.deepEqual(target, {
      name: 'jenkins',
      rate: 1.0,
      hostname: '{label.name}-{provider.name}-{node_id}',
      subnodeHostname: '{label.name}-{provider.name}-{node_id}-{subnode_id}',
    });
  });

  test("cron jobs run on nodepool's code defaults", () => {
    assert.deepEqual(config.cron, {
      imageUpdate: '14 2 * * *',
      cleanup: '* * * * *',
      check: '*/15 * * * *',
    });
  });

  test('Gearman listens on 4730 unless told otherwise', () => {
    assert.deepEqual(config.gearmanServers, [{ host: 'zuul.example.org', port: 4730 }]);
  });

  test('whiskpool keys get their defaults', () => {
    assert.equal(config.poolId, 'whiskpool');
    assert.equal(config.maxHoldAge, undefined);
    assert.deepEqual(config.nats, { url: 'nats://127.0.0.1:4222' });
    assert.deepEqual(config.timeouts, {
      building: 3600,
      booted: 600,
      ready: 0,
      inUse: 28800,
      used: 300,
      deleting: 600,
    });
    assert.deepEqual(config.diskimages, []);
    assert.equal(config.database, undefined);
  });

  test('a six-field cron spec has its seconds moved first for croner', () => {
    const cron = "cron:\n  check: '*/15 * * * * 30'\n";
    const text = MINIMAL.replace('zmq-publishers', `${cron}zmq-publishers`);
    assert.equal(parseConfig(text, 'six.yaml').config.cron.check, '30 */15 * * * *');
  });
});
