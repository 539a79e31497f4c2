import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ErrorCode } from '../../../lib/errors.ts';
import { ConfigInvalidError, parseConfig } from '../../../lib/config/index.ts';
import { readSample, sampleFiles, V2_DIR, V3_DIR } from './samples.ts';

/**
 * Counted with PyYAML, the parser nodepool itself used, from the same rendered files:
 * providers, labels, provider images (all providers), targets, and each provider's max-servers.
 */
const V2_EXPECTED: Record<string, [number, number, number, number, number[]]> = {
  'openstack-infra_nodepool_2015-12_fixture_node.yaml': [1, 1, 1, 1, [96]],
  'openstack-infra_nodepool_2015-12_fixture_node_az.yaml': [1, 1, 1, 1, [96]],
  'openstack-infra_nodepool_2015-12_fixture_node_dib.yaml': [1, 1, 1, 1, [96]],
  'openstack-infra_nodepool_2015-12_fixture_node_ipv6.yaml': [3, 3, 3, 1, [96, 96, 96]],
  'openstack-infra_nodepool_2015-12_fixture_subnodes.yaml': [1, 2, 1, 1, [96]],
  'openstack-infra_nodepool_2015-12_tools_fake.yaml': [1, 2, 2, 1, [96]],
  'openstack-infra_system-config_2014-09-12_nodepool.yaml.erb': [
    11, 14, 73, 7, [94, 55, 85, 0, 100, 100, 100, 100, 100, 0, 60],
  ],
  'openstack_project-config_2015-10-29_nodepool.yaml': [
    11, 20, 103, 7, [184, 55, 85, 0, 100, 100, 100, 100, 100, 0, 75],
  ],
  'thirdparty_rasselin_project-config-example_2015-11-08_nodepool.yaml': [1, 1, 1, 1, [4]],
  'wikimedia_operations-puppet_2015-12-08_nodepool.yaml.erb': [1, 1, 1, 1, [20]],
};

describe('2015-format samples', () => {
  test('the table covers every file in nodepool-v2', () => {
    assert.deepEqual(sampleFiles(V2_DIR), Object.keys(V2_EXPECTED).sort());
  });

  for (const [file, [providers, labels, images, targets, maxServers]] of Object.entries(
    V2_EXPECTED,
  )) {
    test(`${file} loads with its providers, labels, images and quotas`, () => {
      const { config } = parseConfig(readSample(V2_DIR, file), file);

      assert.equal(config.providers.length, providers);
      assert.equal(config.labels.length, labels);
      assert.equal(
        config.providers.reduce((sum, provider) => sum + provider.images.length, 0),
        images,
      );
      assert.equal(config.targets.length, targets);
      assert.deepEqual(
        config.providers.map((provider) => provider.maxServers),
        maxServers,
      );
    });
  }

  test('the Wikimedia template keeps its site values and fills nodepool defaults', () => {
    const file = 'wikimedia_operations-puppet_2015-12-08_nodepool.yaml.erb';
    const { config, warnings } = parseConfig(readSample(V2_DIR, file), file);
    const [provider] = config.providers;
    const [target] = config.targets;

    assert.deepEqual(warnings, []);
    assert.equal(provider?.bootTimeout, 300);
    assert.equal(provider?.launchTimeout, 3600);
    assert.equal(provider?.rate, 10);
    assert.equal(provider?.templateHostname, '{image.name}-{timestamp}');
    assert.equal(provider?.images[0]?.userHome, '/home/jenkins');
    assert.equal(provider?.images[0]?.privateKey, '/var/lib/nodepool/.ssh/id_rsa');
    assert.deepEqual(provider?.images[0]?.meta, { properties: { show: 'true' } });
    assert.equal(target?.hostname, '{label.name}-{node_id}');
    assert.equal(target?.jenkins?.url, 'https://integration.wikimedia.org/ci/');
    assert.equal(config.labels[0]?.readyScript, 'ready.sh');
    assert.equal(config.labels[0]?.minReady, 10);
    assert.equal(config.cron.imageUpdate, '14 14 * * *');
    assert.deepEqual(config.gearmanServers, [{ host: 'zuul.eqiad.wmnet', port: 4730 }]);
    assert.equal(config.database?.dialect, 'mysql');
  });

  test('the DIB fixture turns an unquoted release into a string and keeps env-vars', () => {
    const file = 'openstack-infra_nodepool_2015-12_fixture_node_dib.yaml';
    const { config } = parseConfig(readSample(V2_DIR, file), file);
    const [diskimage] = config.diskimages;

    assert.equal(diskimage?.release, '21');
    assert.deepEqual(diskimage?.elements, ['fedora', 'vm']);
    assert.equal(diskimage?.envVars.TMPDIR, '/opt/dib_tmp');
    assert.equal(config.providers[0]?.images[0]?.diskimage, 'fake-dib-diskimage');
  });

  test('the 2015-10 OpenStack file keeps net-label networks and image types', () => {
    const file = 'openstack_project-config_2015-10-29_nodepool.yaml';
    const { config } = parseConfig(readSample(V2_DIR, file), file);
    const tripleo = config.providers.find((provider) => provider.name === 'tripleo-test-cloud-rh1');
    const rax = config.providers.find((provider) => provider.name === 'rax-dfw');

    assert.deepEqual(tripleo?.networks, [
      { name: 'default-net', public: false },
      { name: 'tripleo-bm-test', public: false },
    ]);
    assert.equal(rax?.imageType, 'vhd');
    assert.equal(rax?.apiTimeout, 60);
    assert.equal(rax?.auth.cloud, 'rax');
    assert.equal(rax?.images.find((image) => image.name === 'fedora-22')?.configDrive, true);
    assert.equal(config.targets[0]?.jenkins, undefined);
  });

  test('subnode labels keep their subnode count and ready script', () => {
    const file = 'openstack-infra_nodepool_2015-12_fixture_subnodes.yaml';
    const { config } = parseConfig(readSample(V2_DIR, file), file);
    const multi = config.labels.find((label) => label.name === 'multi-fake');

    assert.equal(multi?.subnodes, 2);
    assert.equal(multi?.readyScript, 'multinode_setup.sh');
    assert.equal(config.labels[0]?.subnodes, 0);
  });
});

describe('Zuul v3-era samples', () => {
  for (const file of sampleFiles(V3_DIR)) {
    test(`${file} is refused as the wrong format`, () => {
      assert.throws(
        () => parseConfig(readSample(V3_DIR, file), file),
        (error: unknown) => {
          assert.ok(error instanceof ConfigInvalidError);
          assert.equal(error.code, ErrorCode.ConfigInvalid);
          assert.equal(error.problems.length, 1);
          assert.match(error.problems[0] ?? '', /Zuul v3-era/);
          assert.match(
            error.problems[0] ?? '',
            /whiskpool reads the 2015 format \(nodepool < 0\.4, MySQL\/Gearman\/ZMQ era\)/,
          );
          return true;
        },
      );
    });
  }

  test('providers with pools are refused even without zookeeper-servers', () => {
    const text = [
      'labels: []',
      'providers:',
      '  - name: p',
      '    cloud: c',
      '    pools:',
      '      - name: main',
      'targets: []',
    ].join('\n');

    assert.throws(
      () => parseConfig(text, 'v3.yaml'),
      (error: unknown) =>
        error instanceof ConfigInvalidError &&
        /^providers\[0\]\.pools: /.test(error.problems[0] ?? ''),
    );
  });
});
