/**
 * Bad payloads of NATS messages, given to the actions as the dispatcher would. Each must come
 * back as `{error: {code: 'WP_EVENT_INVALID'}}` with a message holding every `mentions` entry,
 * and change no row.
 */
export interface EventCase {
  name: string;
  action: 'reconcile' | 'spawn' | 'ready-check' | 'register' | 'offline' | 'delete';
  subject: string;
  event: unknown;
  mentions: string[];
}

const BUILD = {
  phase: 'started',
  job: 'tox',
  number: 1,
  nodeName: 'ci-jessie-wikimedia-1',
  publisher: 'tcp://127.0.0.1:8888',
  at: 1449576000000,
};

const DEMAND = { labels: { 'ci-jessie-wikimedia': 1 }, servers: ['127.0.0.1:4730'], at: 1 };

export const EVENT_CASES: EventCase[] = [
  {
    name: 'no event at all',
    action: 'spawn',
    subject: 'whiskpool.node.spawn',
    event: undefined,
    mentions: ['event: Required'],
  },
  {
    name: 'null',
    action: 'spawn',
    subject: 'whiskpool.node.spawn',
    event: null,
    mentions: ['event: Expected object'],
  },
  {
    name: 'a string',
    action: 'spawn',
    subject: 'whiskpool.node.spawn',
    event: '{"nodeId":1}',
    mentions: ['Expected object, received string'],
  },
  {
    name: 'a list',
    action: 'register',
    subject: 'whiskpool.node.register',
    event: [1],
    mentions: ['Expected object, received array'],
  },
  {
    name: 'a node id as text',
    action: 'spawn',
    subject: 'whiskpool.node.spawn',
    event: { nodeId: '1' },
    mentions: ['nodeId: Expected number, received string'],
  },
  {
    name: 'a node id of zero',
    action: 'ready-check',
    subject: 'whiskpool.node.ready-check',
    event: { nodeId: 0 },
    mentions: ['nodeId'],
  },
  {
    name: 'a negative node id',
    action: 'register',
    subject: 'whiskpool.node.register',
    event: { nodeId: -1 },
    mentions: ['nodeId'],
  },
  {
    name: 'a fractional node id',
    action: 'spawn',
    subject: 'whiskpool.node.spawn',
    event: { nodeId: 1.5 },
    mentions: ['nodeId', 'integer'],
  },
  {
    name: 'a node id past 2^53',
    action: 'spawn',
    subject: 'whiskpool.node.spawn',
    event: { nodeId: 2 ** 60 },
    mentions: ['nodeId'],
  },
  {
    name: 'a node message without a node id',
    action: 'delete',
    subject: 'whiskpool.node.delete',
    event: { reason: 'x' },
    mentions: ['nodeId: Required'],
  },
  {
    name: 'a reason that is a number',
    action: 'delete',
    subject: 'whiskpool.node.delete',
    event: { nodeId: 1, reason: 5 },
    mentions: ['reason'],
  },
  {
    name: 'a node message on build.finalized',
    action: 'delete',
    subject: 'whiskpool.build.finalized',
    event: { nodeId: 1 },
    mentions: ['delete: invalid event on whiskpool.build.finalized', 'phase: Required'],
  },
  {
    name: 'a build message on node.delete',
    action: 'delete',
    subject: 'whiskpool.node.delete',
    event: { ...BUILD, phase: 'finalized' },
    mentions: ['invalid event on whiskpool.node.delete', 'nodeId: Required'],
  },
  {
    name: 'an unknown phase',
    action: 'offline',
    subject: 'whiskpool.build.started',
    event: { ...BUILD, phase: 'exploded' },
    mentions: ['phase'],
  },
  {
    name: 'an empty node name',
    action: 'offline',
    subject: 'whiskpool.build.started',
    event: { ...BUILD, nodeName: '' },
    mentions: ['nodeName'],
  },
  {
    name: 'an empty job',
    action: 'offline',
    subject: 'whiskpool.build.started',
    event: { ...BUILD, job: '' },
    mentions: ['job'],
  },
  {
    name: 'a build number of zero',
    action: 'offline',
    subject: 'whiskpool.build.started',
    event: { ...BUILD, number: 0 },
    mentions: ['number'],
  },
  {
    name: 'a build number as text',
    action: 'delete',
    subject: 'whiskpool.build.finalized',
    event: { ...BUILD, phase: 'finalized', number: '7' },
    mentions: ['number: Expected number'],
  },
  {
    name: 'no publisher',
    action: 'offline',
    subject: 'whiskpool.build.started',
    event: { ...BUILD, publisher: undefined },
    mentions: ['publisher: Required'],
  },
  {
    name: 'a time that is text',
    action: 'offline',
    subject: 'whiskpool.build.started',
    event: { ...BUILD, at: 'now' },
    mentions: ['at: Expected number'],
  },
  {
    name: 'demand that is a list',
    action: 'reconcile',
    subject: 'whiskpool.demand',
    event: { ...DEMAND, labels: [1] },
    mentions: ['labels'],
  },
  {
    name: 'a negative demand',
    action: 'reconcile',
    subject: 'whiskpool.demand',
    event: { ...DEMAND, labels: { 'ci-jessie-wikimedia': -3 } },
    mentions: ['labels.ci-jessie-wikimedia'],
  },
  {
    name: 'a fractional demand',
    action: 'reconcile',
    subject: 'whiskpool.demand',
    event: { ...DEMAND, labels: { 'ci-jessie-wikimedia': 0.5 } },
    mentions: ['labels.ci-jessie-wikimedia'],
  },
  {
    name: 'a demand of 10^300',
    action: 'reconcile',
    subject: 'whiskpool.demand',
    event: { ...DEMAND, labels: { 'ci-jessie-wikimedia': 1e300 } },
    mentions: ['labels.ci-jessie-wikimedia'],
  },
  {
    name: 'a demand for an empty label',
    action: 'reconcile',
    subject: 'whiskpool.demand',
    event: { ...DEMAND, labels: { '': 2 } },
    mentions: ['labels'],
  },
  {
    name: 'servers that are a string',
    action: 'reconcile',
    subject: 'whiskpool.demand',
    event: { ...DEMAND, servers: 'gearman' },
    mentions: ['servers'],
  },
  {
    name: 'a tick on the demand subject',
    action: 'reconcile',
    subject: 'whiskpool.demand',
    event: { reason: 'timer', at: 1 },
    mentions: ['reconcile: invalid event on whiskpool.demand', 'labels: Required'],
  },
  {
    name: 'a tick without a reason',
    action: 'reconcile',
    subject: 'whiskpool.tick.reconcile',
    event: { at: 1 },
    mentions: ['reason: Required'],
  },
];
