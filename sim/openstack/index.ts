/** A local stand-in for an OpenStack cloud (Keystone v3, Nova, Glance v2, SSH per server). */
export { startOpenStackSim, type OpenStackSim } from './sim.ts';
export type {
  OpenStackSimOptions,
  SimFlavor,
  SimImage,
  SimNetwork,
  SshOptions,
} from './options.ts';
export { DEFAULT_FLAVORS, DEFAULT_IMAGES } from './options.ts';
export type { FaultTrigger, SimFaults } from './faults.ts';
export type { SimSettings } from './control.ts';
export type { SimServerState, SimState } from './state.ts';
export type { ServerHistory } from './servers.ts';
export type { CopiedFile } from './sftp.ts';
