import { createOpenStackProvider } from '../../../../lib/cloud/index.ts';
import { createLogger } from '../../../../lib/log.ts';
import { AdminApi, controlPlane } from '../../../openstack/cloud.ts';
import { cloudContract } from './contract.ts';

const log = createLogger({ name: 'test.contract.openstack', level: 'silent' });
const cloud = controlPlane();

cloudContract('the OpenStack client against a real control plane', async () => {
  if ('skip' in cloud) throw new Error(cloud.skip);
  const admin = new AdminApi(cloud);

  return {
    client: (options = {}, clientLog = log) =>
      createOpenStackProvider({
        name: 'control-plane',
        authUrl: cloud.authUrl,
        username: cloud.username,
        password: cloud.password,
        projectName: cloud.projectName,
        regionName: cloud.regionName,
        ...options,
      }, clientLog),
    regions: cloud.regions,
    tokenLifetimeMs: cloud.tokenLifetimeMs,
    image: cloud.image,
    secrets: [cloud.password, cloud.secondUser.password, cloud.admin.password],
    // The fake hypervisor boots at once, but Nova's services share two cores with the tests.
    patienceMs: 120_000,
    revocable: { username: cloud.secondUser.username, password: cloud.secondUser.password },
    revokeTokens: () => admin.revokeUserTokens(cloud.secondUser.userId),
    setInstanceQuota: (max) => admin.setInstanceQuota(max),
    close: async () => undefined,
  };
}, { skip: 'skip' in cloud ? cloud.skip : undefined });
