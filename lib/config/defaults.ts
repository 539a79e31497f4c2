import type { StateTimeouts } from './types.ts';

/** Defaults of nodepool 0.1.1 - 0.2.0 (nodepool/config.py), kept so an old file means the same. */
export const NODEPOOL_DEFAULTS = {
  minReady: 2,
  subnodes: 0,
  bootTimeout: 60,
  launchTimeout: 3600,
  rate: 1.0,
  imageType: 'qcow2',
  username: 'jenkins',
  userHome: '/home/jenkins',
  privateKey: '/var/lib/jenkins/.ssh/id_rsa',
  gearmanPort: 4730,
  templateHostname: 'template-{image.name}-{timestamp}',
  targetHostname: '{label.name}-{provider.name}-{node_id}',
  subnodeHostname: '{label.name}-{provider.name}-{node_id}-{subnode_id}',
  cron: {
    imageUpdate: '14 2 * * *',
    // The documentation said `27 */6 * * *`; the code ran every minute, and that is what
    // deployments relied on.
    cleanup: '* * * * *',
    check: '*/15 * * * *',
  },
} as const;

/** Defaults of keys whiskpool adds to the format. */
export const WHISKPOOL_DEFAULTS = {
  poolId: 'whiskpool',
  // Nodepool 3.x retried a failed launch three times before failing the request.
  launchRetries: 3,
  hostKeyChecking: true,
  noNetwork: false,
  natsUrl: 'nats://127.0.0.1:4222',
} as const;

/**
 * Nodepool reaped every node that was neither ready nor held after 8 hours (NODE_CLEANUP),
 * which left broken machines counting against quota for most of a working day. whiskpool
 * limits each state on its own, from the waits nodepool itself used for that step.
 */
export const DEFAULT_STATE_TIMEOUTS: StateTimeouts = {
  // Create until ACTIVE: nodepool's launch-timeout default; the launcher gives up then.
  building: 3600,
  // ACTIVE until registered: nodepool kept trying SSH for CONNECT_TIMEOUT (10 minutes),
  // which also covers boot-timeout, the ready script and the Jenkins call.
  booted: 600,
  // Nodepool never expired a ready node; the `check` cron logs into it instead.
  ready: 0,
  // A build running longer than NODE_CLEANUP (8 hours) is taken to be lost.
  inUse: 8 * 3600,
  // Nodepool deleted a node DELETE_DELAY (1 minute) after its build finished; five times
  // that lets a slow delete action finish before the sweep steps in.
  used: 300,
  // Nodepool waited 600 seconds for a server to disappear, then retried on a later cleanup.
  deleting: 600,
};
