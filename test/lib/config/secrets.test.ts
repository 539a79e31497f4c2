import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ConfigInvalidError, loadConfig, parseConfig } from '../../../lib/config/index.ts';
import { baseConfig, toYaml } from './base-config.ts';
import { readSample, V2_DIR } from './samples.ts';

/** The 2015-10 split: nodepool.yaml without secrets, secure.conf and clouds.yaml beside it. */
const NODEPOOL_YAML = `
script-dir: /etc/nodepool/scripts
zmq-publishers:
  - tcp://jenkins01.example.org:8888
labels:
  - name: trusty
    image: trusty
    providers:
      - name: rax-dfw
      - name: local
providers:
  - name: rax-dfw
    cloud: rax
    region-name: DFW
    max-servers: 10
    images:
      - name: trusty
        base-image: Ubuntu
        min-ram: 8192
  - name: local
    cloud: devstack
    max-servers: 2
    images:
      - name: trusty
        base-image: Ubuntu
        min-ram: 2048
targets:
  - name: jenkins01
    jenkins:
      test-job: node-test
  - name: jenkins02
`;

const SECURE_CONF = `
# nodepool secure configuration
[database]
dburi = mysql+pymysql://nodepool:db-secret@db.example.org:3307/nodepool?charset=utf8

[jenkins "jenkins01"]
url = https://jenkins01.example.org/
user = nodepool
apikey = jenkins01-secret
credentials = 6d4f-credentials
`;

const CLOUDS_YAML = `
clouds:
  rax:
    region_name: ORD
    identity_api_version: 2
    auth:
      auth_url: https://identity.example.com/v2.0/
      username: raxuser
      password: rax-secret
      project_id: "123456"
  devstack:
    region_name: RegionOne
    auth:
      auth_url: http://127.0.0.1:5000/v3
      username: admin
      password: devstack-secret
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
`;

const sources = {
  secureConf: { text: SECURE_CONF, source: 'secure.conf' },
  cloudsYaml: { text: CLOUDS_YAML, source: 'clouds.yaml' },
};

describe('secure.conf', () => {
  const { config, warnings } = parseConfig(NODEPOOL_YAML, 'nodepool.yaml', sources);

  test('fills the database from [database] dburi', () => {
    assert.deepEqual(config.database, {
      dialect: 'mysql',
      host: 'db.example.org',
      port: 3307,
      user: 'nodepool',
      password: 'db-secret',
      database: 'nodepool',
      options: { charset: 'utf8' },
      from: 'secure.conf',
    });
  });

  test('fills a target from its [jenkins "NAME"] section and keeps its test-job', () => {
    assert.deepEqual(config.targets[0]?.jenkins, {
      url: 'https://jenkins01.example.org/',
      user: 'nodepool',
      apikey: 'jenkins01-secret',
      credentialsId: '6d4f-credentials',
      testJob: 'node-test',
      apikeyFrom: 'secure.conf',
    });
  });

  test('leaves a target without a section without Jenkins', () => {
    assert.equal(config.targets[1]?.jenkins, undefined);
    assert.deepEqual(warnings, []);
  });

  test('wins over values in nodepool.yaml', () => {
    const yaml = baseConfig();
    yaml.dburi = 'mysql://nodepool:yaml-secret@localhost/nodepool';
    const loaded = parseConfig(toYaml(yaml), 'nodepool.yaml', sources).config;

    assert.equal(loaded.targets[0]?.jenkins?.apikey, 'jenkins01-secret');
    assert.equal(loaded.database?.dialect === 'mysql' && loaded.database.password, 'db-secret');
  });

  test('a section for a target that does not exist is a warning', () => {
    const text = '[jenkins "jenkins09"]\nurl = https://x.example.org/\n';
    const secureConf = { text, source: 's.conf' };
    const result = parseConfig(NODEPOOL_YAML, 'nodepool.yaml', { ...sources, secureConf });
    const warning = 's.conf [jenkins "jenkins09"]: no target named "jenkins09", ignored';
    assert.ok(result.warnings.includes(warning));
  });

  test('a malformed line is refused by line number without echoing it', () => {
    const text = '[database]\ndburi = sqlite:x.db\nhunter2-password\n';
    const secureConf = { text, source: 's.conf' };
    assert.throws(
      () => parseConfig(NODEPOOL_YAML, 'nodepool.yaml', { ...sources, secureConf }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigInvalidError);
        assert.deepEqual(error.problems, ['s.conf:3: expected "[section]" or "key = value"']);
        assert.ok(!error.message.includes('hunter2'));
        return true;
      },
    );
  });

  test('a bad dburi is refused without showing its password', () => {
    const text = '[database]\ndburi = oracle://np:hunter2@db/np\n';
    const secureConf = { text, source: 's.conf' };
    assert.throws(
      () => parseConfig(NODEPOOL_YAML, 'nodepool.yaml', { ...sources, secureConf }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigInvalidError);
        assert.ok(!error.message.includes('hunter2'), error.message);
        assert.match(error.problems[0] ?? '', /^s\.conf \[database\] dburi: uses "oracle"/);
        return true;
      },
    );
  });
});

describe('clouds.yaml', () => {
  const { config } = parseConfig(NODEPOOL_YAML, 'nodepool.yaml', sources);
  const [rax, local] = config.providers;

  test("resolves a provider's cloud into Keystone credentials", () => {
    assert.deepEqual(local?.auth, {
      cloud: 'devstack',
      authUrl: 'http://127.0.0.1:5000/v3',
      username: 'admin',
      password: 'devstack-secret',
      projectName: 'demo',
      userDomainName: 'Default',
      projectDomainName: 'Default',
      passwordFrom: 'clouds.yaml',
    });
    assert.equal(local?.regionName, 'RegionOne');
  });

  test("the provider's own region-name wins over the cloud's", () => {
    assert.equal(rax?.regionName, 'DFW');
    assert.equal(rax?.auth.projectId, '123456');
  });

  test('a keystone key in nodepool.yaml overrides the cloud entry', () => {
    const text = NODEPOOL_YAML.replace('    cloud: rax\n', '    cloud: rax\n    username: other\n');
    const loaded = parseConfig(text, 'nodepool.yaml', sources).config;
    assert.equal(loaded.providers[0]?.auth.username, 'other');
    assert.equal(loaded.providers[0]?.auth.password, 'rax-secret');
  });

  test('a cloud missing from clouds.yaml is refused', () => {
    const text = NODEPOOL_YAML.replace('cloud: devstack', 'cloud: nowhere');
    assert.throws(
      () => parseConfig(text, 'nodepool.yaml', sources),
      (error: unknown) =>
        error instanceof ConfigInvalidError &&
        error.problems.includes('providers[1].cloud: cloud "nowhere" is not in clouds.yaml'),
    );
  });

  test('a cloud entry without credentials is refused', () => {
    const cloudsYaml = { text: 'clouds:\n  rax: {}\n  devstack: {}\n', source: 'clouds.yaml' };
    assert.throws(
      () => parseConfig(NODEPOOL_YAML, 'nodepool.yaml', { ...sources, cloudsYaml }),
      (error: unknown) =>
        error instanceof ConfigInvalidError &&
        error.problems.includes('providers[0].auth-url: is required') &&
        error.problems.includes(
          'providers[0].password: is required (or set WHISKPOOL_PROVIDER_RAX_DFW_PASSWORD)',
        ),
    );
  });

  test('without any clouds.yaml the cloud stays unresolved, with a warning', () => {
    const { config: bare, warnings } = parseConfig(NODEPOOL_YAML, 'nodepool.yaml');
    assert.deepEqual(bare.providers[0]?.auth, { cloud: 'rax' });
    const warning =
      'providers[0].cloud: cloud "rax" not resolved: no clouds.yaml was given or found';
    assert.ok(warnings.includes(warning));
  });
});

describe('environment secrets', () => {
  const env = {
    WHISKPOOL_PROVIDER_RAX_DFW_PASSWORD: 'env-rax-secret',
    WHISKPOOL_TARGET_JENKINS01_APIKEY: 'env-jenkins-secret',
    WHISKPOOL_DATABASE_URL: 'sqlite:/var/lib/whiskpool/state.db',
  };
  const { config } = parseConfig(NODEPOOL_YAML, 'nodepool.yaml', { ...sources, env });

  test('a provider password from the environment wins over clouds.yaml', () => {
    assert.equal(config.providers[0]?.auth.password, 'env-rax-secret');
    assert.equal(config.providers[0]?.auth.passwordFrom, 'environment');
    assert.equal(config.providers[1]?.auth.password, 'devstack-secret');
  });

  test('a Jenkins API key from the environment wins over secure.conf', () => {
    assert.equal(config.targets[0]?.jenkins?.apikey, 'env-jenkins-secret');
    assert.equal(config.targets[0]?.jenkins?.apikeyFrom, 'environment');
  });

  test('the database URL from the environment wins over secure.conf', () => {
    assert.deepEqual(config.database, {
      dialect: 'sqlite',
      filename: '/var/lib/whiskpool/state.db',
      from: 'environment',
    });
  });

  test('a password from the environment completes a provider that has none', () => {
    const yaml = baseConfig();
    delete yaml.providers[0].password;
    const loaded = parseConfig(toYaml(yaml), 'nodepool.yaml', {
      env: { WHISKPOOL_PROVIDER_CLOUD_A_PASSWORD: 'from-env' },
    }).config;
    assert.equal(loaded.providers[0]?.auth.password, 'from-env');
  });

  test('names with punctuation map to upper-case underscores', () => {
    const yaml = baseConfig();
    yaml.targets[0].name = 'jenkins.example-org';
    delete yaml.targets[0].jenkins.apikey;
    const loaded = parseConfig(toYaml(yaml), 'nodepool.yaml', {
      env: { WHISKPOOL_TARGET_JENKINS_EXAMPLE_ORG_APIKEY: 'dotted' },
    }).config;
    assert.equal(loaded.targets[0]?.jenkins?.apikey, 'dotted');
  });

  test('parseConfig reads no variables unless given them', () => {
    const yaml = baseConfig();
    delete yaml.providers[0].password;
    process.env.WHISKPOOL_PROVIDER_CLOUD_A_PASSWORD = 'ambient';
    try {
      assert.throws(() => parseConfig(toYaml(yaml), 'nodepool.yaml'), ConfigInvalidError);
    } finally {
      delete process.env.WHISKPOOL_PROVIDER_CLOUD_A_PASSWORD;
    }
  });
});

describe('loadConfig', () => {
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'whiskpool-config-'));
    await writeFile(join(dir, 'nodepool.yaml'), NODEPOOL_YAML);
    await writeFile(join(dir, 'secure.conf'), SECURE_CONF);
    await writeFile(join(dir, 'clouds.yaml'), CLOUDS_YAML);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('reads the secure.conf beside nodepool.yaml and the clouds.yaml it is given', async () => {
    const { config } = await loadConfig(join(dir, 'nodepool.yaml'), {
      env: {},
      cloudsYamlPath: join(dir, 'clouds.yaml'),
    });

    assert.equal(config.source, join(dir, 'nodepool.yaml'));
    assert.equal(config.targets[0]?.jenkins?.apikey, 'jenkins01-secret');
    assert.equal(config.providers[1]?.auth.password, 'devstack-secret');
    assert.equal(config.database?.from, 'secure.conf');
  });

  test('finds clouds.yaml through OS_CLIENT_CONFIG_FILE', async () => {
    const { config } = await loadConfig(join(dir, 'nodepool.yaml'), {
      env: { OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') },
    });
    assert.equal(config.providers[0]?.auth.username, 'raxuser');
  });

  test('an explicit secure.conf that is missing is an error', async () => {
    await assert.rejects(
      loadConfig(join(dir, 'nodepool.yaml'), { env: {}, secureConfPath: join(dir, 'nope.conf') }),
      (error: unknown) =>
        error instanceof ConfigInvalidError &&
        error.problems[0] === `${join(dir, 'nope.conf')}: cannot be read (ENOENT)`,
    );
  });

  test('a missing configuration file is an error naming it', async () => {
    await assert.rejects(
      loadConfig(join(dir, 'missing.yaml'), { env: {} }),
      (error: unknown) =>
        error instanceof ConfigInvalidError &&
        error.problems[0] === `${join(dir, 'missing.yaml')}: cannot be read (ENOENT)`,
    );
  });

  test("OpenStack's 2015-10 file loads with its clouds and Jenkins masters split out", async () => {
    const file = 'openstack_project-config_2015-10-29_nodepool.yaml';
    const clouds = ['rax', 'hpcloud', 'ovh', 'tripleo-test-cloud-rh1']
      .map((name) => `  ${name}:\n    auth:\n      auth_url: https://${name}.example.org/v2.0\n` +
        `      username: u-${name}\n      password: p-${name}\n      project_name: ci\n`)
      .join('');
    const secure = [1, 2, 3, 4, 5, 6, 7]
      .map((n) => `[jenkins "jenkins0${n}"]\nurl = https://jenkins0${n}.example.org/\n` +
        `user = nodepool\napikey = key-${n}\n`)
      .join('\n');
    await writeFile(join(dir, 'openstack.yaml'), readSample(V2_DIR, file));
    await writeFile(join(dir, 'openstack-clouds.yaml'), `clouds:\n${clouds}`);
    const database = '[database]\ndburi = sqlite:///np.db\n';
    await writeFile(join(dir, 'openstack-secure.conf'), `${database}${secure}`);

    const { config, warnings } = await loadConfig(join(dir, 'openstack.yaml'), {
      env: {},
      secureConfPath: join(dir, 'openstack-secure.conf'),
      cloudsYamlPath: join(dir, 'openstack-clouds.yaml'),
    });

    assert.ok(!warnings.some((warning) => warning.includes('not resolved')));
    assert.equal(config.providers[0]?.auth.password, 'p-rax');
    assert.equal(config.providers[0]?.regionName, 'DFW');
    assert.deepEqual(
      config.targets.map((target) => target.jenkins?.apikey),
      ['key-1', 'key-2', 'key-3', 'key-4', 'key-5', 'key-6', 'key-7'],
    );
    assert.deepEqual(config.database, {
      dialect: 'sqlite',
      filename: 'np.db',
      from: 'secure.conf',
    });
  });
});
