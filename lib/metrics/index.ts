/** The pool's statsd metrics under Nodepool's names, or none when statsd is not configured. */
export { noMetrics, type PoolMetrics } from './metrics.ts';
export { createStatsdMetrics, metricsFromEnv, type StatsdOptions } from './statsd.ts';
export {
  deleteKey,
  jobPrefixes,
  launchKeys,
  LaunchResult,
  maxServersKey,
  metricPart,
  taskKey,
  type JobFacts,
  type LaunchFacts,
} from './names.ts';
export { NODEPOOL_STATES, nodeGauges, type GaugeScope, type NodeGroup } from './node-gauges.ts';
