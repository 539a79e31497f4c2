import { setTimeout as sleep } from 'node:timers/promises';

import type { GearmanServerConfig } from '../../lib/config/index.ts';
import type { DemandMessage } from '../../lib/events/messages.ts';
import { Subject } from '../../lib/events/subjects.ts';
import {
  buildDemand,
  fetchStatus,
  parseBuildFunction,
  type GearmanStatus,
} from '../../lib/gearman/index.ts';
import type { Logger } from '../../lib/log.ts';
import type { Publisher } from '../../lib/nats/publish.ts';

export interface GearmanBridgeOptions {
  servers: GearmanServerConfig[];
  publisher: Publisher;
  log: Logger;
  /** Nodepool read the queue every 10 s; one second keeps the pool ahead of demand. */
  pollMs?: number;
  /**
   * A snapshot is published when demand changes, and at least this often even when it does
   * not, so that reconcile runs on a steady beat (it refills after failures too).
   */
  heartbeatMs?: number;
  timeoutMs?: number;
  onPoll?(message: DemandMessage, published: boolean): void;
}

export interface GearmanBridge {
  stop(): Promise<void>;
}

/**
 * What makes a poll news. The label totals alone miss a build that ends while another one
 * starts for the same label between two polls: the totals stay the same, yet the pool has
 * one machine fewer to offer, and reconcile would only hear of it at the next heartbeat.
 * The queued and running counts of every build function change then, so they are part of
 * it too (two builds of one job swapping places in one poll still wait for the heartbeat).
 */
export function snapshotKey(
  replies: readonly Pick<GearmanStatus, 'functions'>[],
  message: Pick<DemandMessage, 'labels' | 'servers'>,
): string {
  const builds = replies
    .flatMap((reply) => reply.functions)
    .filter((fn) => fn.total > 0 && parseBuildFunction(fn) !== undefined)
    .map((fn) => `${fn.name}=${fn.total}/${fn.running}`)
    .sort();
  return JSON.stringify([message.labels, message.servers, builds]);
}

/** Polls every Gearman server's `status` and publishes the demand per label it implies. */
export function startGearmanBridge(options: GearmanBridgeOptions): GearmanBridge {
  const { log } = options;
  const pollMs = options.pollMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const unreachable = new Set<string>();
  let stopping = false;
  let lastKey = '';
  let lastPublished = 0;

  async function poll() {
    const replies: GearmanStatus[] = [];
    const answered: string[] = [];

    await Promise.all(
      options.servers.map(async (server) => {
        const name = `${server.host}:${server.port}`;
        try {
          const status = await fetchStatus(server.host, server.port, timeoutMs);
          for (const problem of status.problems) {
            log.warn({ server: name, ...problem }, 'odd line in Gearman status');
          }
          replies.push(status);
          answered.push(name);
          if (unreachable.delete(name)) log.info({ server: name }, 'Gearman server back');
        } catch (error) {
          // Logged once per outage rather than once per second.
          if (!unreachable.has(name)) {
            log.warn({ server: name, err: (error as Error).message }, 'Gearman server unreachable');
            unreachable.add(name);
          }
        }
      }),
    );

    // With no server answering, demand is unknown: saying "zero" would shrink the pool.
    if (answered.length === 0) return;

    const { demand } = buildDemand(replies);
    const labels = Object.fromEntries([...demand.entries()].sort(([a], [b]) => a.localeCompare(b)));
    const message: DemandMessage = { labels, servers: answered.sort(), at: Date.now() };

    const key = snapshotKey(replies, message);
    const due = key !== lastKey || message.at - lastPublished >= heartbeatMs;
    if (due) {
      try {
        await options.publisher.publish(Subject.Demand, message);
        lastKey = key;
        lastPublished = message.at;
        if (key !== lastKey) log.debug({ labels }, 'demand published');
      } catch (error) {
        log.warn({ err: (error as Error).message }, 'could not publish demand');
      }
    }
    options.onPoll?.(message, due);
  }

  const loop = (async () => {
    while (!stopping) {
      const started = Date.now();
      await poll().catch((error: unknown) => log.error({ err: error }, 'poll failed'));
      const wait = pollMs - (Date.now() - started);
      if (wait > 0 && !stopping) await sleep(wait);
    }
  })();

  return {
    async stop() {
      stopping = true;
      await loop;
    },
  };
}
