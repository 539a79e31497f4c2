import { StatsD } from 'hot-shots';

import type { Logger } from '../log.ts';
import { noMetrics, type PoolMetrics } from './metrics.ts';
import { deleteKey, jobPrefixes, launchKeys, taskKey } from './names.ts';
import { nodeGauges } from './node-gauges.ts';

export interface StatsdOptions {
  host: string;
  /** Default 8125, statsd's own. */
  port?: number;
  log: Logger;
}

/** Nodepool's switches: statsd is on when STATSD_HOST is set, on STATSD_PORT or 8125. */
export function metricsFromEnv(env: NodeJS.ProcessEnv, log: Logger): PoolMetrics {
  const host = env.STATSD_HOST;
  if (!host) return noMetrics;

  const port = env.STATSD_PORT === undefined ? 8125 : Number(env.STATSD_PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    log.warn({ port: env.STATSD_PORT }, 'STATSD_PORT is not a port number; metrics are off');
    return noMetrics;
  }
  return createStatsdMetrics({ host, port, log });
}

/** Sends the pool's metrics as statsd lines over UDP, one datagram each. */
export function createStatsdMetrics(options: StatsdOptions): PoolMetrics {
  const { log } = options;
  let warned = false;
  const client = new StatsD({
    host: options.host,
    port: options.port ?? 8125,
    protocol: 'udp',
    // UDP to a missing statsd fails quietly on most systems; when it does not, say so once.
    errorHandler(error) {
      if (warned) return;
      warned = true;
      log.warn({ err: error.message, host: options.host }, 'statsd unreachable');
    },
  });

  const timer = (key: string, ms: number) => {
    client.timing(key, Math.max(0, Math.round(ms)));
    client.increment(key);
  };

  return {
    launch(facts, result, ms) {
      for (const key of launchKeys(facts, result)) timer(key, ms);
    },
    deleted(facts, ms) {
      timer(deleteKey(facts), ms);
    },
    jobSucceeded(facts, ms) {
      for (const prefix of jobPrefixes(facts)) {
        client.timing(`${prefix}.runtime`, Math.max(0, Math.round(ms)));
        client.increment(`${prefix}.builds`);
      }
    },
    nodeCounts(scope, groups) {
      for (const [key, value] of nodeGauges(scope, groups)) client.gauge(key, value);
    },
    apiCall(manager, task, ms) {
      timer(taskKey(manager, task), ms);
    },
    close() {
      return new Promise((resolve) => client.close(() => resolve()));
    },
  };
}
