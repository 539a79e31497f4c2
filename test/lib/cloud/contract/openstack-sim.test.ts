import { randomUUID } from 'node:crypto';

import { createOpenStackProvider } from '../../../../lib/cloud/index.ts';
import { createLogger } from '../../../../lib/log.ts';
import { startOpenStackSim } from '../../../../sim/openstack/index.ts';
import { cloudContract } from './contract.ts';

const log = createLogger({ name: 'test.contract.sim', level: 'silent' });

cloudContract('the OpenStack client against the stand-in', async () => {
  const image = {
    name: 'whiskpool-base',
    olderActiveId: randomUUID(),
    newestActiveId: randomUUID(),
    queuedId: randomUUID(),
  };
  const sim = await startOpenStackSim({
    regions: ['RegionOne', 'RegionTwo'],
    maxInstances: -1,
    tokenLifetimeMs: 1500,
    bootDelayMs: 50,
    deleteDelayMs: 50,
    snapshotDelayMs: 50,
    images: [
      { id: image.olderActiveId, name: image.name, createdAt: '2015-10-01T00:00:00Z' },
      { id: image.newestActiveId, name: image.name, createdAt: '2015-10-02T00:00:00Z' },
      { id: image.queuedId, name: image.name, createdAt: '2015-10-03T00:00:00Z',
        status: 'queued' },
    ],
    log,
  });

  return {
    client: (options = {}, clientLog = log) =>
      createOpenStackProvider({
        name: 'sim',
        authUrl: sim.url,
        username: sim.username,
        password: sim.password,
        projectName: sim.projectName,
        regionName: 'RegionOne',
        ...options,
      }, clientLog),
    regions: sim.regions,
    tokenLifetimeMs: 1500,
    image,
    secrets: [sim.password],
    patienceMs: 5000,
    // The stand-in has one user: a revocation refuses everyone's tokens, which every client
    // must take in its stride.
    revocable: {},
    revokeTokens: async () => sim.revokeTokens(),
    setInstanceQuota: async (maxInstances) => sim.setSettings({ maxInstances }),
    close: () => sim.close(),
  };
});
