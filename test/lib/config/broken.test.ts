import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ErrorCode } from '../../../lib/errors.ts';
import { ConfigInvalidError, parseConfig } from '../../../lib/config/index.ts';
import { baseConfig, toYaml } from './base-config.ts';

type Config = ReturnType<typeof baseConfig>;

interface BrokenCase {
  name: string;
  /** Breaks the base configuration in place... */
  mutate?: (config: Config) => void;
  /** ...or replaces the whole file. */
  text?: string;
  /** The line that must appear among the problems. */
  problem: string;
}

const HOST_FIELDS =
  '{label.name}, {provider.name}, {target.name}, {image.name}, {node_id}, {timestamp}';

const CASES: BrokenCase[] = [
  {
    name: 'max-servers is text',
    mutate: (c) => (c.providers[0]['max-servers'] = 'abc'),
    problem: 'providers[0].max-servers: must be a non-negative integer, got "abc"',
  },
  {
    name: 'max-servers is negative',
    mutate: (c) => (c.providers[1]['max-servers'] = -3),
    problem: 'providers[1].max-servers: must be a non-negative integer, got -3',
  },
  {
    name: 'max-servers is a fraction',
    mutate: (c) => (c.providers[0]['max-servers'] = 2.5),
    problem: 'providers[0].max-servers: must be a non-negative integer, got 2.5',
  },
  {
    name: 'max-servers is missing',
    mutate: (c) => delete c.providers[0]['max-servers'],
    problem: 'providers[0].max-servers: is required',
  },
  {
    name: 'a setup script name a shell would split',
    mutate: (c) => (c.providers[0].images[0].setup = 'prepare $(id).sh'),
    problem:
      'providers[0].images[0].setup: must be a file name of script-dir: letters, digits, ".", ' +
      '"_", "-" or "+", not starting with "-", got "prepare $(id).sh"',
  },
  {
    name: 'a ready script in a subdirectory',
    mutate: (c) => (c.labels[0]['ready-script'] = 'checks/ready.sh'),
    problem:
      'labels[0].ready-script: must be a file name of script-dir: letters, digits, ".", "_", ' +
      '"-" or "+", not starting with "-", got "checks/ready.sh"',
  },
  {
    name: 'labels are missing',
    mutate: (c) => delete c.labels,
    problem: 'labels: is required',
  },
  {
    name: 'providers is a mapping',
    mutate: (c) => (c.providers = { 'cloud-a': {} }),
    problem: 'providers: must be a list, got a mapping',
  },
  {
    name: 'zmq-publishers is missing',
    mutate: (c) => delete c['zmq-publishers'],
    problem: 'zmq-publishers: is required',
  },
  {
    name: 'a ZMQ publisher has no scheme',
    mutate: (c) => (c['zmq-publishers'] = ['jenkins01.example.org:8888']),
    problem:
      'zmq-publishers[0]: must be a ZMQ address like tcp://HOST:PORT, ' +
      'got "jenkins01.example.org:8888"',
  },
  {
    name: 'a ZMQ publisher has no port',
    mutate: (c) => (c['zmq-publishers'] = ['tcp://jenkins01.example.org']),
    problem:
      'zmq-publishers[0]: must be a ZMQ address like tcp://HOST:PORT, ' +
      'got "tcp://jenkins01.example.org"',
  },
  {
    name: 'a label names an unknown provider',
    mutate: (c) => (c.labels[1].providers[1].name = 'nope'),
    problem: 'labels[1].providers[1].name: provider "nope" is not defined',
  },
  {
    name: "a label's image is not offered by its provider",
    mutate: (c) => (c.labels[0].image = 'xenial'),
    problem: 'labels[0].image: provider "cloud-a" has no image "xenial"',
  },
  {
    name: 'a DIB provider lacks the label image',
    mutate: (c) => (c.providers[1].images[0].name = 'precise-2'),
    problem: 'labels[1].image: provider "cloud-b" has no image "precise"',
  },
  {
    name: 'two providers share a name',
    mutate: (c) => (c.providers[1].name = 'cloud-a'),
    problem: 'providers[1].name: duplicate provider "cloud-a" (also providers[0])',
  },
  {
    name: 'two labels share a name',
    mutate: (c) => (c.labels[1].name = 'trusty'),
    problem: 'labels[1].name: duplicate label "trusty" (also labels[0])',
  },
  {
    name: 'two targets share a name',
    mutate: (c) => c.targets.push({ name: 'jenkins01' }),
    problem: 'targets[1].name: duplicate target "jenkins01" (also targets[0])',
  },
  {
    name: 'two images of one provider share a name',
    mutate: (c) => (c.providers[0].images[1].name = 'trusty'),
    problem: 'providers[0].images[1].name: duplicate image "trusty" (also providers[0].images[0])',
  },
  {
    name: 'two diskimages share a name',
    mutate: (c) => c.diskimages.push({ name: 'precise-dib' }),
    problem: 'diskimages[1].name: duplicate diskimage "precise-dib" (also diskimages[0])',
  },
  {
    name: 'a label lists a provider twice',
    mutate: (c) => c.labels[0].providers.push({ name: 'cloud-a' }),
    problem: 'labels[0].providers[1].name: provider "cloud-a" is listed twice',
  },
  {
    name: 'min-ready below -1',
    mutate: (c) => (c.labels[0]['min-ready'] = -2),
    problem: 'labels[0].min-ready: must be an integer >= -1, got -2',
  },
  {
    name: 'negative subnodes',
    mutate: (c) => (c.labels[1].subnodes = -1),
    problem: 'labels[1].subnodes: must be a non-negative integer, got -1',
  },
  {
    name: 'a cron spec with four fields',
    mutate: (c) => (c.cron = { check: '*/15 * * *' }),
    problem: 'cron.check: must have 5 fields (or 6 with seconds last), got 4 in "*/15 * * *"',
  },
  {
    name: 'a cron minute out of range',
    mutate: (c) => (c.cron = { cleanup: '61 * * * *' }),
    problem:
      'cron.cleanup: is not a valid cron spec: Invalid value for minute: 61, got "61 * * * *"',
  },
  {
    name: 'a cron nickname nodepool never understood',
    mutate: (c) => (c.cron = { 'image-update': '@daily' }),
    problem: 'cron.image-update: must have 5 fields (or 6 with seconds last), got 1 in "@daily"',
  },
  {
    name: 'a misspelt host name field',
    mutate: (c) => (c.targets[0].hostname = '{label.nme}-{node_id}'),
    problem:
      `targets[0].hostname: unknown field {label.nme} in "{label.nme}-{node_id}"; ` +
      `known: ${HOST_FIELDS}`,
  },
  {
    name: 'a host name template without the node id',
    mutate: (c) => (c.targets[0].hostname = '{label.name}-{provider.name}'),
    problem:
      'targets[0].hostname: "{label.name}-{provider.name}" must contain {node_id} ' +
      'so that names are unique',
  },
  {
    name: 'a subnode host name template without the subnode id',
    mutate: (c) => (c.targets[0]['subnode-hostname'] = '{label.name}-{node_id}'),
    problem:
      'targets[0].subnode-hostname: "{label.name}-{node_id}" must contain {subnode_id} ' +
      'so that names are unique',
  },
  {
    name: 'a template server name using a node field',
    mutate: (c) => (c.providers[0]['template-hostname'] = 'template-{node_id}'),
    problem:
      'providers[0].template-hostname: unknown field {node_id} in "template-{node_id}"; ' +
      'known: {provider.name}, {image.name}, {timestamp}',
  },
  {
    name: 'a stray closing brace in a template',
    mutate: (c) => (c.targets[0].hostname = 'x}-{node_id}'),
    problem:
      'targets[0].hostname: single "}" at position 1; write "}}" for a brace in "x}-{node_id}"',
  },
  {
    name: 'a format spec in a template',
    mutate: (c) => (c.targets[0].hostname = 'node-{node_id:05d}'),
    problem:
      'targets[0].hostname: field {node_id:05d} has a conversion or format spec, ' +
      'which is not supported in "node-{node_id:05d}"',
  },
  {
    name: 'a Jenkins URL without scheme',
    mutate: (c) => (c.targets[0].jenkins.url = 'jenkins01.example.org'),
    problem:
      'targets[0].jenkins.url: must be a URL like https://host/path, got "jenkins01.example.org"',
  },
  {
    name: 'a Keystone URL that is not http',
    mutate: (c) => (c.providers[0]['auth-url'] = 'keystone.example.org:5000'),
    problem:
      'providers[0].auth-url: must be a URL like https://host/path, ' +
      'got "keystone.example.org:5000"',
  },
  {
    name: 'no password anywhere',
    mutate: (c) => delete c.providers[0].password,
    problem: 'providers[0].password: is required (or set WHISKPOOL_PROVIDER_CLOUD_A_PASSWORD)',
  },
  {
    name: 'no username',
    mutate: (c) => delete c.providers[1].username,
    problem: 'providers[1].username: is required (or name a clouds.yaml entry with cloud)',
  },
  {
    name: 'no project',
    mutate: (c) => delete c.providers[0]['project-id'],
    problem: 'providers[0].project-id: is required (or project-name)',
  },
  {
    name: 'no auth-url',
    mutate: (c) => delete c.providers[0]['auth-url'],
    problem: 'providers[0].auth-url: is required (or name a clouds.yaml entry with cloud)',
  },
  {
    name: 'an image with neither base-image nor diskimage',
    mutate: (c) => delete c.providers[0].images[1]['base-image'],
    problem:
      'providers[0].images[1]: needs base-image (a snapshot image) or diskimage (built by DIB)',
  },
  {
    name: 'an image naming an unknown diskimage',
    mutate: (c) => (c.providers[1].images[0].diskimage = 'nope'),
    problem: 'providers[1].images[0].diskimage: diskimage "nope" is not defined',
  },
  {
    name: 'an image without min-ram',
    mutate: (c) => delete c.providers[0].images[0]['min-ram'],
    problem: 'providers[0].images[0].min-ram: is required',
  },
  {
    name: 'an unknown image type',
    mutate: (c) => (c.providers[1]['image-type'] = 'vdi'),
    problem: 'providers[1].image-type: must be one of qcow2, vhd, raw, got "vdi"',
  },
  {
    name: 'a network with both an id and a label',
    mutate: (c) => (c.providers[0].networks = [{ 'net-id': 'abc', 'net-label': 'private' }]),
    problem:
      'providers[0].networks[0]: needs exactly one of net-id, net-label or name, ' +
      'got net-id and net-label',
  },
  {
    name: 'a network with no way to find it',
    mutate: (c) => (c.providers[0].networks = [{ public: true }]),
    problem: 'providers[0].networks[0]: needs exactly one of net-id, net-label or name, got none',
  },
  {
    name: 'a negative rate',
    mutate: (c) => (c.providers[0].rate = -1),
    problem: 'providers[0].rate: must be a non-negative number, got -1',
  },
  {
    name: 'a zero boot-timeout',
    mutate: (c) => (c.providers[0]['boot-timeout'] = 0),
    problem: 'providers[0].boot-timeout: must be a positive integer, got 0',
  },
  {
    name: 'a zero api-timeout',
    mutate: (c) => (c.providers[0]['api-timeout'] = 0),
    problem: 'providers[0].api-timeout: must be a positive number, got 0',
  },
  {
    name: 'zero launch retries',
    mutate: (c) => (c.providers[0]['launch-retries'] = 0),
    problem: 'providers[0].launch-retries: must be a positive integer, got 0',
  },
  {
    name: 'a boolean that is neither',
    mutate: (c) => (c.providers[0]['ipv6-preferred'] = 'maybe'),
    problem: 'providers[0].ipv6-preferred: must be true or false, got "maybe"',
  },
  {
    name: 'availability zones as one string',
    mutate: (c) => (c.providers[0]['availability-zones'] = 'az1'),
    problem: 'providers[0].availability-zones: must be a list, got "az1"',
  },
  {
    name: 'a Gearman port out of range',
    mutate: (c) => (c['gearman-servers'][0].port = 70000),
    problem: 'gearman-servers[0].port: must be a port number (1-65535), got 70000',
  },
  {
    name: 'a Gearman server without host',
    mutate: (c) => (c['gearman-servers'] = [{ port: 4730 }]),
    problem: 'gearman-servers[0].host: is required',
  },
  {
    name: 'a database dialect whiskpool cannot use',
    mutate: (c) => (c.dburi = 'postgresql://nodepool:hunter2@db/nodepool'),
    problem:
      'dburi: uses "postgresql", but whiskpool stores state only in mysql or sqlite, ' +
      'got "postgresql://nodepool:[secret]@db/nodepool"',
  },
  {
    name: 'a MySQL URL without database name',
    mutate: (c) => (c.database = 'mysql://nodepool@db.example.org/'),
    problem: 'database: must name one database, got "mysql://nodepool@db.example.org/"',
  },
  {
    name: 'both database and dburi',
    mutate: (c) => {
      c.dburi = 'mysql://nodepool@localhost/nodepool';
      c.database = 'sqlite:/var/lib/whiskpool/state.db';
    },
    problem: 'database: set either database or dburi, not both',
  },
  {
    name: 'a pool id with a space',
    mutate: (c) => (c['pool-id'] = 'my pool'),
    problem:
      'pool-id: must be letters, digits, ".", "_" or "-" (at most 63, starting with a letter ' +
      'or digit), got "my pool"',
  },
  {
    name: 'a negative state timeout',
    mutate: (c) => (c.timeouts = { 'in-use': -5 }),
    problem: 'timeouts.in-use: must be a non-negative integer, got -5',
  },
  {
    name: 'a NATS URL with the wrong scheme',
    mutate: (c) => (c.nats = { url: 'http://127.0.0.1:4222' }),
    problem: 'nats.url: must be a URL like nats://HOST:4222, got "http://127.0.0.1:4222"',
  },
  {
    name: 'a zero max-hold-age',
    mutate: (c) => (c['max-hold-age'] = 0),
    problem: 'max-hold-age: must be a positive integer, got 0',
  },
  {
    name: 'setup scripts without script-dir',
    mutate: (c) => delete c['script-dir'],
    problem: 'script-dir: is required: providers[0].images[0] runs setup "prepare.sh"',
  },
  {
    name: 'DIB images without images-dir',
    mutate: (c) => delete c['images-dir'],
    problem: 'images-dir: is required: providers[1].images[0] is built by diskimage-builder',
  },
  {
    name: 'a Jenkins url without an API key',
    mutate: (c) => delete c.targets[0].jenkins.apikey,
    problem:
      'targets[0].jenkins.apikey: is required when jenkins url is set ' +
      '(or set WHISKPOOL_TARGET_JENKINS01_APIKEY)',
  },
  {
    name: 'a Jenkins user without a url',
    mutate: (c) => delete c.targets[0].jenkins.url,
    problem: 'targets[0].jenkins.url: is required when jenkins user or apikey is set',
  },
  {
    name: 'a password that YAML read as a number',
    mutate: (c) => (c.providers[0].password = 123456),
    problem: 'providers[0].password: must be a non-empty string, got a number (value hidden)',
  },
  {
    name: 'an unrendered puppet template',
    mutate: (c) => (c.providers[0].password = '<%= @openstack_password -%>'),
    problem:
      'providers[0].password: contains an unrendered ERB tag "<%"; render the template first',
  },
  {
    name: 'a label name that is a number',
    mutate: (c) => (c.labels[0].name = 5),
    problem: 'labels[0].name: must be a non-empty string, got 5',
  },
  {
    name: 'a nested env-var',
    mutate: (c) => (c.diskimages[0]['env-vars'] = { TMPDIR: { path: '/tmp' } }),
    problem: 'diskimages[0].env-vars.TMPDIR: must be a string or number, got a mapping',
  },
  {
    name: 'an unclosed quote',
    text: "script-dir: '/etc/nodepool\nlabels: []\n",
    problem: "line 3, column 1: YAML syntax error: Missing closing 'quote",
  },
  {
    name: 'a mapping nested on one line',
    text: 'labels: []\nproviders: a: b\n',
    problem:
      'line 2, column 12: YAML syntax error: Nested mappings are not allowed in compact mappings',
  },
  {
    name: 'an empty file',
    text: '# nothing here\n',
    problem: '(top level): the file is empty',
  },
  {
    name: 'a list at the top',
    text: '- providers\n- labels\n',
    problem: '(top level): must be a mapping of keys such as providers, labels and targets',
  },
];

function brokenText(entry: BrokenCase): string {
  if (entry.text !== undefined) return entry.text;
  const config = baseConfig();
  entry.mutate?.(config);
  return toYaml(config);
}

describe('broken configurations', () => {
  test('the base configuration loads without problems or warnings', () => {
    const { warnings } = parseConfig(toYaml(baseConfig()), 'nodepool.yaml');
    assert.deepEqual(warnings, []);
  });

  test('the table has at least 40 cases', () => {
    assert.ok(CASES.length >= 40, `only ${CASES.length} cases`);
  });

  for (const entry of CASES) {
    test(`${entry.name} is refused with its key path and reason`, () => {
      assert.throws(
        () => parseConfig(brokenText(entry), 'nodepool.yaml'),
        (error: unknown) => {
          assert.ok(error instanceof ConfigInvalidError, String(error));
          assert.equal(error.code, ErrorCode.ConfigInvalid);
          assert.ok(
            error.problems.includes(entry.problem),
            `expected ${JSON.stringify(entry.problem)} among:\n${error.problems.join('\n')}`,
          );
          assert.ok(error.message.includes(entry.problem));
          return true;
        },
      );
    });
  }

  test('every problem is reported at once, one line each', () => {
    const config = baseConfig();
    config.providers[0]['max-servers'] = 'abc';
    config.labels[0]['min-ready'] = 'many';
    config.targets[0].rate = -1;

    assert.throws(
      () => parseConfig(toYaml(config), 'nodepool.yaml'),
      (error: unknown) => {
        assert.ok(error instanceof ConfigInvalidError);
        assert.deepEqual(error.problems, [
          'labels[0].min-ready: must be an integer >= -1, got "many"',
          'providers[0].max-servers: must be a non-negative integer, got "abc"',
          'targets[0].rate: must be a non-negative number, got -1',
        ]);
        return true;
      },
    );
  });
});
