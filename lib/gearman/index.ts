/** What whiskpool reads from Zuul's Gearman servers: function counts and demand per label. */
export { fetchStatus } from './admin-client.ts';
export { buildDemand, parseBuildFunction } from './build-demand.ts';
export type { BuildDemand } from './build-demand.ts';
export { parseStatus } from './status.ts';
export type { FunctionStatus, GearmanStatus, StatusProblem } from './status.ts';
