import { z } from 'zod';

import { DEFAULT_STATE_TIMEOUTS, NODEPOOL_DEFAULTS, WHISKPOOL_DEFAULTS } from './defaults.ts';
import {
  boolean,
  cronSpec,
  databaseUrl,
  hostnameTemplate,
  httpUrl,
  integer,
  number,
  oneOf,
  optional,
  poolId,
  port,
  positiveNumber,
  scalarText,
  scriptName,
  text,
  url,
  withDefault,
  zmqAddress,
} from './fields.ts';
import { IMAGE_TYPES } from './types.ts';

/**
 * The shape of nodepool.yaml as written (kebab-case keys), nodepool 0.1.1 to 0.2.x, with
 * whiskpool's added keys marked. Cross-references (a label naming a provider, ...) are checked
 * later, in references.ts, once the whole file is known to be well formed.
 */

const network = z
  .object({
    'net-id': optional(text),
    'net-label': optional(text),
    name: optional(text),
    public: withDefault(boolean, false),
  })
  .superRefine((entry, ctx) => {
    const keys = ['net-id', 'net-label', 'name'] as const;
    const given = keys.filter((key) => entry[key] !== undefined);
    if (given.length !== 1) {
      const got = given.length === 0 ? 'none' : given.join(' and ');
      const message = `needs exactly one of net-id, net-label or name, got ${got}`;
      ctx.addIssue({ code: 'custom', message });
    }
  });

const providerImage = z.object({
  name: text,
  'base-image': optional(text),
  'min-ram': integer(0),
  'name-filter': optional(text),
  setup: optional(scriptName),
  // Reset scripts were dropped from nodepool in 2015-03; old files still carry the key.
  reset: z.any().optional(),
  diskimage: optional(text),
  username: withDefault(text, NODEPOOL_DEFAULTS.username),
  'user-home': withDefault(text, NODEPOOL_DEFAULTS.userHome),
  'private-key': withDefault(text, NODEPOOL_DEFAULTS.privateKey),
  'config-drive': withDefault(boolean, false),
  meta: withDefault(z.record(z.unknown()), {}),
});

const provider = z.object({
  name: text,
  cloud: optional(text),
  username: optional(text),
  password: optional(text),
  'project-id': optional(text),
  'project-name': optional(text),
  // Checked once clouds.yaml is merged in, since a cloud entry may supply it.
  'auth-url': optional(text),
  'region-name': optional(text),
  'service-type': optional(text),
  'service-name': optional(text),
  'api-timeout': optional(positiveNumber),
  'max-servers': integer(0),
  'boot-timeout': withDefault(integer(1), NODEPOOL_DEFAULTS.bootTimeout),
  'launch-timeout': withDefault(integer(1), NODEPOOL_DEFAULTS.launchTimeout),
  rate: withDefault(number(0), NODEPOOL_DEFAULTS.rate),
  keypair: optional(text),
  pool: optional(text),
  networks: withDefault(z.array(network), []),
  'availability-zones': withDefault(z.array(text), []),
  'template-hostname': withDefault(hostnameTemplate('image'), NODEPOOL_DEFAULTS.templateHostname),
  'image-type': withDefault(oneOf(IMAGE_TYPES), NODEPOOL_DEFAULTS.imageType),
  'ipv6-preferred': withDefault(boolean, false),
  images: z.array(providerImage),
  // whiskpool
  'launch-retries': withDefault(integer(1), WHISKPOOL_DEFAULTS.launchRetries),
  'host-key-checking': withDefault(boolean, WHISKPOOL_DEFAULTS.hostKeyChecking),
  'no-network': withDefault(boolean, WHISKPOOL_DEFAULTS.noNetwork),
});

const label = z.object({
  name: text,
  image: text,
  'min-ready': withDefault(integer(-1), NODEPOOL_DEFAULTS.minReady),
  subnodes: withDefault(integer(0), NODEPOOL_DEFAULTS.subnodes),
  'ready-script': optional(scriptName),
  providers: z.array(z.object({ name: text })),
});

const jenkins = z.object({
  url: optional(httpUrl),
  user: optional(text),
  apikey: optional(text),
  'credentials-id': optional(text),
  'test-job': optional(text),
});

const target = z.object({
  name: text,
  jenkins: optional(jenkins),
  rate: withDefault(number(0), NODEPOOL_DEFAULTS.rate),
  hostname: withDefault(hostnameTemplate('node'), NODEPOOL_DEFAULTS.targetHostname),
  'subnode-hostname': withDefault(hostnameTemplate('subnode'), NODEPOOL_DEFAULTS.subnodeHostname),
});

const diskimage = z.object({
  name: text,
  elements: withDefault(z.array(text), []),
  release: optional(scalarText),
  'env-vars': withDefault(z.record(scalarText), {}),
});

const cron = z.object({
  'image-update': withDefault(cronSpec, NODEPOOL_DEFAULTS.cron.imageUpdate),
  cleanup: withDefault(cronSpec, NODEPOOL_DEFAULTS.cron.cleanup),
  check: withDefault(cronSpec, NODEPOOL_DEFAULTS.cron.check),
});

const gearmanServer = z.object({
  host: text,
  port: withDefault(port, NODEPOOL_DEFAULTS.gearmanPort),
});

const timeouts = z.object({
  building: withDefault(integer(0), DEFAULT_STATE_TIMEOUTS.building),
  booted: withDefault(integer(0), DEFAULT_STATE_TIMEOUTS.booted),
  ready: withDefault(integer(0), DEFAULT_STATE_TIMEOUTS.ready),
  'in-use': withDefault(integer(0), DEFAULT_STATE_TIMEOUTS.inUse),
  used: withDefault(integer(0), DEFAULT_STATE_TIMEOUTS.used),
  deleting: withDefault(integer(0), DEFAULT_STATE_TIMEOUTS.deleting),
});

const natsUrl = url(['nats:', 'tls:', 'ws:', 'wss:'], 'nats://HOST:4222');

const nats = z.object({
  url: withDefault(natsUrl, WHISKPOOL_DEFAULTS.natsUrl),
});

export const nodepoolYamlSchema = z.object({
  'script-dir': optional(text),
  'elements-dir': optional(text),
  'images-dir': optional(text),
  dburi: optional(databaseUrl),
  cron: withDefault(cron, {}),
  'zmq-publishers': z.array(zmqAddress),
  'gearman-servers': withDefault(z.array(gearmanServer), []),
  labels: z.array(label),
  providers: z.array(provider),
  targets: z.array(target),
  diskimages: withDefault(z.array(diskimage), []),
  // whiskpool
  'pool-id': withDefault(poolId, WHISKPOOL_DEFAULTS.poolId),
  'max-hold-age': optional(integer(1)),
  timeouts: withDefault(timeouts, {}),
  database: optional(databaseUrl),
  nats: withDefault(nats, {}),
});

export type NodepoolYaml = z.output<typeof nodepoolYamlSchema>;
export type RawProvider = NodepoolYaml['providers'][number];
export type RawTarget = NodepoolYaml['targets'][number];
