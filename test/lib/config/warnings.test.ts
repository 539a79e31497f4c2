import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseConfig } from '../../../lib/config/index.ts';
import { baseConfig, toYaml } from './base-config.ts';

type Config = ReturnType<typeof baseConfig>;

function warningsOf(mutate: (config: Config) => void) {
  const config = baseConfig();
  mutate(config);
  return parseConfig(toYaml(config), 'nodepool.yaml');
}

interface WarningCase {
  name: string;
  mutate: (config: Config) => void;
  warning: string;
}

const CASES: WarningCase[] = [
  {
    name: 'an unknown top-level key (a local patch)',
    mutate: (c) => (c.nodepoold = { 'delete-delay': 0 }),
    warning: 'nodepoold: unknown key, ignored',
  },
  {
    name: 'an unknown key on a provider image',
    mutate: (c) => (c.providers[0].images[1].subnodes = 2),
    warning: 'providers[0].images[1].subnodes: unknown key, ignored',
  },
  {
    name: 'an unknown key in a Jenkins block',
    mutate: (c) => (c.targets[0].jenkins.token = 'x'),
    warning: 'targets[0].jenkins.token: unknown key, ignored',
  },
  {
    name: 'an unknown key on a label provider',
    mutate: (c) => (c.labels[1].providers[0].weight = 2),
    warning: 'labels[1].providers[0].weight: unknown key, ignored',
  },
  {
    name: 'an unknown key in a network',
    mutate: (c) => (c.providers[0].networks = [{ 'net-id': 'abc', fixed: true }]),
    warning: 'providers[0].networks[0].fixed: unknown key, ignored',
  },
  {
    name: 'a reset script',
    mutate: (c) => (c.providers[0].images[0].reset = 'reset.sh'),
    warning: 'providers[0].images[0].reset: ignored: nodepool dropped reset scripts in 2015-03',
  },
  {
    name: 'more than five metadata entries',
    mutate: (c) => {
      c.providers[0].images[0].meta = { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' };
    },
    warning: 'providers[0].images[0].meta: has 6 entries, nova takes at most 5: ignored',
  },
  {
    name: 'a provider that may launch nothing',
    mutate: (c) => (c.providers[1]['max-servers'] = 0),
    warning: 'providers[1].max-servers: is 0: no node will be launched on this provider',
  },
  {
    name: 'a numeric weekday in a cron spec',
    mutate: (c) => (c.cron = { 'image-update': '14 2 * * 0' }),
    warning:
      'cron.image-update: numeric weekdays count from Sunday = 0 here; ' +
      'nodepool counted from Monday = 0',
  },
  {
    name: "nodepool's fake auth-url",
    mutate: (c) => (c.providers[0]['auth-url'] = 'fake'),
    warning:
      'providers[0].auth-url: "fake" is nodepool\'s test-fixture placeholder; ' +
      'this provider cannot authenticate',
  },
  {
    name: 'a label with no providers',
    mutate: (c) => (c.labels[0].providers = []),
    warning: 'labels[0].providers: is empty: no node of this label can be launched',
  },
  {
    name: 'a building timeout shorter than launch-timeout',
    mutate: (c) => (c.timeouts = { building: 600 }),
    warning:
      'timeouts.building: 600 s is shorter than providers[0].launch-timeout (3600 s): ' +
      'the sweep would reap nodes still being launched',
  },
  {
    name: 'a ZMQ publisher listed twice',
    mutate: (c) => c['zmq-publishers'].push(c['zmq-publishers'][0]),
    warning: 'zmq-publishers[1]: listed twice',
  },
  {
    name: 'a test job on a target without Jenkins',
    mutate: (c) => (c.targets[0].jenkins = { 'test-job': 'node-test' }),
    warning: 'targets[0].jenkins.test-job: ignored: the target has no Jenkins url',
  },
  {
    name: 'two provider names that map to one variable',
    mutate: (c) => {
      c.providers[1].name = 'cloud_a';
      c.labels[1].providers[1].name = 'cloud_a';
    },
    warning:
      'providers[1].name: shares the variable WHISKPOOL_PROVIDER_CLOUD_A_PASSWORD ' +
      'with providers[0] "cloud-a"',
  },
];

describe('warnings', () => {
  for (const entry of CASES) {
    test(`${entry.name} loads with a warning naming the key`, () => {
      const { warnings } = warningsOf(entry.mutate);
      assert.ok(
        warnings.includes(entry.warning),
        `expected ${JSON.stringify(entry.warning)} among:\n${warnings.join('\n')}`,
      );
    });
  }

  test('unknown keys leave the config as if they were absent', () => {
    const plain = parseConfig(toYaml(baseConfig()), 'nodepool.yaml').config;
    const noisy = warningsOf((c) => {
      c.nodepoold = { 'delete-delay': 0 };
      c.providers[0].flavor = 'm1.large';
    }).config;

    assert.deepEqual(noisy, plain);
  });

  test('metadata that nova would refuse is dropped, as nodepool did', () => {
    const { config } = warningsOf((c) => {
      c.providers[0].images[0].meta = { description: 'x'.repeat(256) };
    });
    assert.deepEqual(config.providers[0]?.images[0]?.meta, {});
  });

  test('a repeated key is a warning and the last value wins, as in PyYAML', () => {
    const text = toYaml(baseConfig()).replace(
      'script-dir: /etc/nodepool/scripts\n',
      'script-dir: /etc/nodepool/scripts\nscript-dir: /opt/scripts\n',
    );
    const { config, warnings } = parseConfig(text, 'nodepool.yaml');

    assert.equal(config.scriptDir, '/opt/scripts');
    assert.deepEqual(warnings, [
      'line 2, column 1: duplicate key; the last one wins, as it did in nodepool',
    ]);
  });

  test('yes and no are booleans, as PyYAML read them', () => {
    const { config } = warningsOf((c) => {
      c.providers[0]['ipv6-preferred'] = 'yes';
      c.providers[0]['host-key-checking'] = 'no';
    });
    assert.equal(config.providers[0]?.ipv6Preferred, true);
    assert.equal(config.providers[0]?.hostKeyChecking, false);
  });
});
