import { baseConfig, toYaml } from '../lib/config/base-config.ts';

/**
 * Broken configuration files beyond the one-key breaks of test/lib/config/broken.test.ts:
 * garbage bytes, huge values, deep nesting, YAML bombs, broken companions. Each must be refused
 * with WP_CONFIG_INVALID and one problem line holding every `mentions` entry.
 */
export interface ConfigCase {
  name: string;
  text: string;
  secureConf?: string;
  cloudsYaml?: string;
  mentions: string[];
}

const valid = (): string => toYaml(baseConfig());

function withBase(change: (config: Record<string, any>) => void): string {
  const config = baseConfig();
  change(config);
  return toYaml(config);
}

/** Bytes that look random and are the same on every run. */
function bytes(length: number, step: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * step + 11) % 256));
}

/** Nine levels of nine aliases each: 9^9 strings once expanded. */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((name, i) => {
    const previous = 'abcdefghi'[i]!;
    return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`;
  }),
].join('\n');

export const CONFIG_CASES: ConfigCase[] = [
  { name: 'an empty file', text: '', mentions: ['(top level): the file is empty'] },
  { name: 'only comments', text: '# nodepool\n# nothing here\n', mentions: ['the file is empty'] },
  { name: 'a lone scalar', text: 'nodepool\n', mentions: ['(top level): must be a mapping'] },
  { name: 'a top-level list', text: '- providers\n- labels\n', mentions: ['must be a mapping'] },
  { name: 'NUL bytes only', text: '\0'.repeat(512), mentions: ['(top level)'] },
  {
    name: 'random binary bytes',
    text: bytes(4096, 193).toString('latin1'),
    mentions: ['(top level)'],
  },
  {
    name: 'a gzip header in front of the file',
    text: `\u001f\u008b\u0008\u0000${valid()}`,
    mentions: ['script-dir: is required'],
  },
  {
    name: 'the file in UTF-16',
    text: Buffer.from(`\ufeff${valid()}`, 'utf16le').toString('latin1'),
    mentions: ['(top level)'],
  },
  {
    name: 'TAB indentation',
    text: 'providers:\n\t- name: cloud-a\n',
    mentions: ['YAML syntax error'],
  },
  {
    name: 'an unterminated quote',
    text: 'pool-id: "whiskpool\nlabels: []\n',
    mentions: ['YAML syntax error'],
  },
  { name: 'an unclosed flow list', text: 'labels: [a, b\n', mentions: ['YAML syntax error'] },
  {
    name: 'an alias to no anchor',
    text: `${valid()}extra: *nowhere\n`,
    mentions: ['(top level): YAML error', 'Unresolved alias', 'nowhere'],
  },
  {
    name: 'two YAML documents in one file',
    text: `${valid()}---\n${valid()}`,
    mentions: ['YAML syntax error'],
  },
  {
    name: 'a YAML bomb of nested aliases',
    text: BILLION_LAUGHS,
    mentions: ['(top level)', 'aliases', 'refused as a YAML bomb'],
  },
  {
    name: 'a YAML bomb hidden inside a valid configuration',
    text: `${valid()}${BILLION_LAUGHS.replace(/^/gm, '')}\n`,
    mentions: ['refused as a YAML bomb'],
  },
  {
    name: 'lists nested five thousand deep',
    text: `labels: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
    mentions: ['nested too deeply to read'],
  },
  {
    name: 'mappings nested five thousand deep',
    text: `labels: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`,
    mentions: ['nested too deeply to read'],
  },
  {
    name: 'a block mapping nested two thousand deep',
    text: Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n'),
    mentions: ['nested too deeply to read'],
  },
  {
    name: 'lists nested three hundred deep where a label belongs',
    text: withBase((c) => (c.labels[0] = JSON.parse(`${'['.repeat(300)}${']'.repeat(300)}`))),
    mentions: ['labels[0]: must be a mapping, got a list'],
  },
  {
    name: 'a Python object tag',
    text: `${valid()}cron: !!python/object:os.system {cleanup: rm}\n`,
    mentions: ['cron'],
  },
  {
    name: 'a binary scalar where a name belongs',
    text: withBase((c) => (c.labels[0].name = 'PLACEHOLDER')).replace(
      'name: PLACEHOLDER',
      'name: !!binary aGVsbG8=',
    ),
    mentions: ['labels[0].name'],
  },
  {
    name: 'max-servers of 10^30',
    text: withBase((c) => (c.providers[0]['max-servers'] = 1e30)),
    mentions: ['providers[0].max-servers'],
  },
  {
    name: 'max-servers written as .inf',
    text: valid().replace('max-servers: 10', 'max-servers: .inf'),
    mentions: ['providers[0].max-servers', 'Infinity'],
  },
  {
    name: 'max-servers written as .nan',
    text: valid().replace('max-servers: 10', 'max-servers: .nan'),
    mentions: ['providers[0].max-servers', 'NaN'],
  },
  {
    name: 'min-ready of 2^60',
    text: withBase((c) => (c.labels[0]['min-ready'] = 2 ** 60)),
    mentions: ['labels[0].min-ready'],
  },
  {
    name: 'api-timeout longer than a Node timer can wait',
    text: withBase((c) => (c.providers[0]['api-timeout'] = 1e10)),
    mentions: ['providers[0].api-timeout: must be at most 2147483'],
  },
  {
    name: 'a rate of 10^300 seconds',
    text: withBase((c) => (c.providers[1].rate = 1e300)),
    mentions: ['providers[1].rate: must be at most'],
  },
  {
    name: 'a one-megabyte pool id is quoted clipped',
    text: withBase((c) => (c['pool-id'] = 'x'.repeat(1024 * 1024))),
    mentions: ['pool-id', 'xxx..."'],
  },
  {
    name: 'two thousand labels with one broken',
    text: withBase((c) => {
      c.labels = Array.from({ length: 2_000 }, (_, i) => ({
        ...structuredClone(c.labels[0]),
        name: `l${i}`,
      }));
      c.labels[1_999]['min-ready'] = 'lots';
    }),
    mentions: ['labels[1999].min-ready'],
  },
  {
    name: 'a one-megabyte key',
    text: `${valid()}${'k'.repeat(1024 * 1024)}: 1\n`,
    mentions: ['at most 1024 chars'],
  },
  {
    name: 'an unrendered Puppet template',
    text: withBase((c) => (c.providers[0].username = '<%= @nodepool_user %>')),
    mentions: ['providers[0].username', 'unrendered ERB'],
  },
  {
    name: 'secure.conf of random bytes',
    text: valid(),
    secureConf: bytes(512, 37).toString('latin1'),
    mentions: ['secure.conf:'],
  },
  {
    name: 'secure.conf with an option before any section',
    text: valid(),
    secureConf: 'dburi = mysql://u:p@h/db\n[database]\n',
    mentions: ['secure.conf:1', 'option before any [section]'],
  },
  {
    name: 'secure.conf with a section given twice',
    text: valid(),
    secureConf: '[database]\ndburi = sqlite:a\n[database]\ndburi = sqlite:b\n',
    mentions: ['secure.conf:3', 'appears twice'],
  },
  {
    name: 'secure.conf with a dburi of an unknown scheme',
    text: valid(),
    secureConf: '[database]\ndburi = postgres://nodepool:pw@db/nodepool\n',
    mentions: ['secure.conf [database] dburi', 'postgres'],
  },
  {
    name: 'clouds.yaml that is a YAML bomb',
    text: withBase((c) => {
      delete c.providers[0].username;
      delete c.providers[0].password;
      delete c.providers[0]['project-id'];
      delete c.providers[0]['auth-url'];
      c.providers[0].cloud = 'bombed';
    }),
    cloudsYaml: BILLION_LAUGHS,
    mentions: ['clouds.yaml', 'refused as a YAML bomb'],
  },
  {
    name: 'clouds.yaml that is a list',
    text: withBase((c) => {
      delete c.providers[0].username;
      delete c.providers[0].password;
      delete c.providers[0]['project-id'];
      delete c.providers[0]['auth-url'];
      c.providers[0].cloud = 'listed';
    }),
    cloudsYaml: '- clouds\n',
    mentions: ['clouds.yaml'],
  },
];

type KeyPath = (string | number)[];

/**
 * Every key path of the base configuration with a value of another type put there: a list,
 * a mapping, a number or a boolean. Strings and nulls are left out: a string is a valid value
 * for many keys, and null means "unset" for optional ones.
 */
export function wrongTypeCases(): { path: KeyPath; kind: string; text: string }[] {
  const wrongs: [string, unknown][] = [
    ['a list', ['x']],
    ['a mapping', { k: 'v' }],
    ['a number', 12345],
    ['a boolean', true],
  ];
  const cases: { path: KeyPath; kind: string; text: string }[] = [];

  for (const path of keyPaths(baseConfig())) {
    const original = valueAt(baseConfig(), path);
    for (const [kind, value] of wrongs) {
      if (kind === kindOf(original)) continue;
      // A DIB release is free text that YAML may read as a number ("14.04"): taken as such.
      if (path.at(-1) === 'release' && (kind === 'a number' || kind === 'a boolean')) continue;

      const config = baseConfig();
      setAt(config, path, value);
      cases.push({ path, kind, text: toYaml(config) });
    }
  }
  return cases;
}

function keyPaths(value: unknown, path: KeyPath = []): KeyPath[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => [[...path, i], ...keyPaths(item, [...path, i])]);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [
      [...path, key],
      ...keyPaths(item, [...path, key]),
    ]);
  }
  return [];
}

function valueAt(root: any, path: KeyPath): unknown {
  return path.reduce((node, key) => node[key], root);
}

function setAt(root: any, path: KeyPath, value: unknown) {
  const parent = valueAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1)!] = value;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}
