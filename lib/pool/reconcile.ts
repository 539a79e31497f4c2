import type { Knex } from 'knex';

import {
  emptyHistory,
  parseAllocationHistory,
  planLaunches,
  type AllocationHistory,
  type NodeCount,
  type PoolNodeState,
} from '../allocation/index.ts';
import { jenkinsNodeName, renderHostname } from '../config/hostname.ts';
import { isMysql } from '../db/connect.ts';
import type { DemandMessage } from '../events/messages.ts';
import type { Node } from '../node/node.ts';
import { insertRequestedNode } from '../node/repository.ts';
import { done, type PoolContext, type StepOutcome } from './context.ts';
import { loadDemand, saveDemand } from './demand.ts';
import { followUp } from './follow-ups.ts';
import { providerOf, targetOf } from './topology.ts';

const ALLOCATION_ROW = 'allocation';

/**
 * Compares demand and min-ready with the nodes that exist and requests the missing ones,
 * following Nodepool's demand and allocation rules. Counting and inserting happen in one
 * transaction that holds the allocation lock, so concurrent reconciles never exceed a
 * provider's max-servers.
 */
export async function reconcile(ctx: PoolContext, demand?: DemandMessage): Promise<StepOutcome> {
  if (demand) await saveDemand(ctx.db, demand);

  const online = await onlineTargets(ctx);
  const created = await ctx.db.transaction((trx) => allocate(ctx, trx, online));

  if (created.length > 0) {
    ctx.log.info(
      { nodes: created.map((n) => n.id), labels: countBy(created, (n) => n.label) },
      'nodes requested',
    );
  }
  return done(
    { outcome: 'reconciled', requested: created.length },
    created.map((node) => followUp.spawn(node.id)),
  );
}

async function allocate(
  ctx: PoolContext,
  trx: Knex.Transaction,
  online: Map<string, boolean>,
): Promise<Node[]> {
  const history = await lockAllocation(trx);
  const [demand, nodes] = await Promise.all([loadDemand(trx), countNodes(trx)]);
  const { config } = ctx;

  const plan = planLaunches({
    labels: config.labels.map((label) => ({
      name: label.name,
      minReady: label.minReady,
      subnodes: label.subnodes,
      providers: label.providers,
    })),
    providers: config.providers.map((provider) => ({
      name: provider.name,
      maxServers: provider.maxServers,
      labelsWithImage: config.labels
        .filter((label) => provider.images.some((image) => image.name === label.image))
        .map((label) => label.name),
    })),
    targets: config.targets.map((target) => ({
      name: target.name,
      online: online.get(target.name) ?? false,
    })),
    demand,
    nodes,
    history,
  });

  const now = ctx.now();
  const created: Node[] = [];
  for (const launch of plan.launches) {
    const provider = providerOf(config, launch.provider);
    const target = targetOf(config, launch.target);
    for (let i = 0; i < launch.count; i++) {
      const az = pickZone(provider.availabilityZones);
      const node = await insertRequestedNode(
        trx,
        { provider: launch.provider, label: launch.label, target: launch.target, az },
        now,
        (id) => {
          const hostname = renderHostname(target.hostname, {
            label: { name: launch.label },
            provider: { name: launch.provider },
            target: { name: launch.target },
            nodeId: id,
          });
          return { hostname, nodeName: jenkinsNodeName(hostname) };
        },
      );
      created.push(node);
    }
  }

  await saveHistory(trx, plan.history, now);
  return created;
}

/**
 * Takes the allocation lock. On MySQL the row lock serialises every allocating transaction;
 * SQLite has a single writer, which serialises them already.
 */
async function lockAllocation(trx: Knex.Transaction): Promise<AllocationHistory> {
  const query = trx('pool_state').where({ name: ALLOCATION_ROW });
  if (isMysql(trx)) query.forUpdate();
  const row = (await query.first()) as { value: string } | undefined;
  if (!row) {
    await trx('pool_state')
      .insert({ name: ALLOCATION_ROW, value: JSON.stringify(emptyHistory()), updated_at: 0 })
      .onConflict('name')
      .ignore();
    if (isMysql(trx)) await trx('pool_state').where({ name: ALLOCATION_ROW }).forUpdate();
    return emptyHistory();
  }
  return parseAllocationHistory(row.value);
}

async function saveHistory(trx: Knex.Transaction, history: AllocationHistory, now: number) {
  await trx('pool_state')
    .where({ name: ALLOCATION_ROW })
    .update({ value: JSON.stringify(history), updated_at: now });
}

async function countNodes(trx: Knex.Transaction): Promise<NodeCount[]> {
  const rows = (await trx('nodes')
    .select('label', 'provider', 'target', 'state')
    .count({ count: '*' })
    .whereNot({ state: 'deleted' })
    .groupBy('label', 'provider', 'target', 'state')) as {
    label: string;
    provider: string;
    target: string;
    state: string;
    count: number | string;
  }[];
  return rows.map((row) => ({
    label: row.label,
    provider: row.provider,
    target: row.target,
    state: row.state as PoolNodeState,
    count: Number(row.count),
  }));
}

async function onlineTargets(ctx: PoolContext): Promise<Map<string, boolean>> {
  const entries = await Promise.all(
    ctx.config.targets.map(async (target) => [target.name, await ctx.targetOnline(target.name)]),
  );
  return new Map(entries as [string, boolean][]);
}

function pickZone(zones: readonly string[]): string | null {
  if (zones.length === 0) return null;
  return zones[Math.floor(Math.random() * zones.length)] ?? null;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
