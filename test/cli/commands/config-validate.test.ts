import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

import { formatValidation, validateConfig } from '../../../cli/commands/config-validate.ts';
import { writeTestPool } from '../../support/pool-config.ts';
import { runCli } from '../support.ts';

const data = (path: string) =>
  fileURLToPath(new URL(`../../../../shared/data/${path}`, import.meta.url));

const V2 = 'nodepool-v2/openstack-infra_nodepool_2015-12';

const CASES: { name: string; file: string; valid: boolean; lines: string[] }[] = [
  {
    name: "nodepool's own fake.yaml is valid, with its oddities and missing scripts as warnings",
    file: data(`${V2}_tools_fake.yaml`),
    valid: true,
    lines: [
      'warning: providers[0].images[1].subnodes: unknown key, ignored',
      'warning: providers[0].auth-url: "fake" is nodepool\'s test-fixture placeholder; ' +
        'this provider cannot authenticate',
      // Its script-dir is ".", this repository when the tests run.
      'warning: labels[1].ready-script: multinode_setup.sh is not in script-dir',
      'warning: providers[0].images[0].setup: prepare_node_devstack.sh is not in script-dir',
      'warning: providers[0].images[1].setup: prepare_node_devstack.sh is not in script-dir',
    ],
  },
  {
    name: 'a test fixture with an unfilled {gearman_port} is refused at its key path',
    file: data(`${V2}_fixture_node.yaml`),
    valid: false,
    lines: ['gearman-servers[0].port: must be a port number (1-65535), got a mapping'],
  },
  {
    name: 'a Zuul v3-era file is refused with the reason',
    file: data('nodepool-v3/openstack-infra_nodepool_2019-04_fixture_node.yaml'),
    valid: false,
    lines: [
      'zookeeper-servers: this is a Zuul v3-era nodepool configuration (ZooKeeper, pools, ' +
        'node requests); whiskpool reads the 2015 format (nodepool < 0.4, MySQL/Gearman/ZMQ era)',
    ],
  },
  {
    name: 'a file that is not there is one problem',
    file: '/nonexistent/nodepool.yaml',
    valid: false,
    lines: ['/nonexistent/nodepool.yaml: cannot be read (ENOENT)'],
  },
];

describe('config-validate', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const found = await validateConfig({ config: c.file });
      // Whether /var/lib/jenkins/.ssh/id_rsa exists depends on the machine.
      const onThisMachine = (line: string) => line.includes('cannot be read on this machine');
      const validation = { ...found, warnings: found.warnings.filter((w) => !onThisMachine(w)) };
      assert.equal(validation.valid, c.valid);
      assert.equal(formatValidation(validation, false), c.lines.join('\n'));

      const json = JSON.parse(formatValidation(validation, true)) as Record<string, unknown>;
      assert.deepEqual(json, {
        valid: c.valid,
        problems: c.lines.filter((line) => !line.startsWith('warning: ')),
        warnings: c.lines
          .filter((line) => line.startsWith('warning: '))
          .map((line) => line.slice('warning: '.length)),
      });
    });
  }

  it('exits 0 for a valid file and 1 for an invalid one, with -c after the command', async () => {
    const good = await runCli(['config-validate', '-c', data(`${V2}_tools_fake.yaml`)]);
    assert.equal(good.code, 0, good.stderr);
    const warnings = good.stdout.split('\n').filter((l) => l.startsWith('warning: '));
    assert.equal(warnings.filter((l) => !l.includes('on this machine')).length, 5);

    const bad = await runCli(['config-validate', '-c', data(`${V2}_fixture_node.yaml`)]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, `${CASES[1]!.lines[0]}\n`);
  });

  it('warns of the files it names that this machine lacks, still valid', async (t) => {
    const labels = [{ name: 'ci-jessie-wikimedia', minReady: 1 }];
    const pool = await writeTestPool({ labels, maxServers: 1 });
    t.after(() => rmSync(pool.dir, { recursive: true, force: true }));
    const scripts = join(pool.dir, 'scripts');
    const keyPath = join(pool.dir, 'id_ed25519');

    const nothing = await validateConfig({ config: pool.configPath });
    mkdirSync(scripts);
    const noScript = await validateConfig({ config: pool.configPath });
    writeFileSync(join(scripts, 'ready.sh'), 'true\n');
    writeFileSync(keyPath, 'not a key\n');
    const badKey = await validateConfig({ config: pool.configPath });

    const keyUnread = `providers[0].images[0].private-key: ${keyPath} cannot be read on this ` +
      'machine (ENOENT)';
    assert.deepEqual(nothing, {
      valid: true,
      problems: [],
      warnings: [`script-dir: ${scripts} is not a directory on this machine`, keyUnread],
    });
    assert.deepEqual(noScript.warnings, [
      'labels[0].ready-script: ready.sh is not in script-dir',
      keyUnread,
    ]);
    assert.equal(badKey.warnings.length, 1);
    assert.match(badKey.warnings[0]!, /^providers\[0\]\.images\[0\]\.private-key: .* is no usable/);
  });
});
