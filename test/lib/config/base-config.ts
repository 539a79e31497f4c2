import { stringify } from 'yaml';

/**
 * A small, valid 2015-format configuration as a plain object, for tests to break one key at
 * a time: two providers (one snapshot, one DIB), two labels, one Jenkins target.
 */
export function baseConfig(): Record<string, any> {
  return {
    'script-dir': '/etc/nodepool/scripts',
    'images-dir': '/opt/nodepool_dib',
    'zmq-publishers': ['tcp://jenkins01.example.org:8888'],
    'gearman-servers': [{ host: 'zuul.example.org' }],
    labels: [
      { name: 'trusty', image: 'trusty', 'min-ready': 1, providers: [{ name: 'cloud-a' }] },
      {
        name: 'precise',
        image: 'precise',
        providers: [{ name: 'cloud-a' }, { name: 'cloud-b' }],
      },
    ],
    providers: [
      {
        name: 'cloud-a',
        username: 'nodepool',
        password: 'password-a',
        'project-id': 'ci',
        'auth-url': 'https://keystone.example.org:5000/v2.0',
        'max-servers': 10,
        images: [
          { name: 'trusty', 'base-image': 'Ubuntu 14.04', 'min-ram': 8192, setup: 'prepare.sh' },
          { name: 'precise', 'base-image': 'Ubuntu 12.04', 'min-ram': 8192 },
        ],
      },
      {
        name: 'cloud-b',
        username: 'nodepool',
        password: 'password-b',
        'project-name': 'ci',
        'auth-url': 'https://keystone.example.net:5000/v3',
        'max-servers': 4,
        images: [{ name: 'precise', diskimage: 'precise-dib', 'min-ram': 4096 }],
      },
    ],
    targets: [
      {
        name: 'jenkins01',
        jenkins: { url: 'https://jenkins01.example.org/', user: 'nodepool', apikey: 'apikey-1' },
      },
    ],
    diskimages: [{ name: 'precise-dib', elements: ['ubuntu', 'vm'], release: 'precise' }],
  };
}

export function toYaml(config: unknown): string {
  return stringify(config);
}
