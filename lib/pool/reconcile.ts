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
import { missingSnapshotRequests } from '../image/missing.ts';
import type { Node } from '../node/node.ts';
import { insertRequestedNode } from '../node/repository.ts';
import { done, type PoolContext, type StepOutcome } from './context.ts';
import { loadDemand, saveDemand } from './demand.ts';
import { followUp } from './follow-ups.ts';
import { pausedFor } from './provider-pause.ts';
import { expiredHolds } from './hold.ts';
import { unconfiguredReadyNodes } from './removed-labels.ts';
import { reportNodeCounts } from './stats.ts';
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
  // Nodes the configuration no longer wants: holds past max-hold-age, labels removed.
  const retired = [...(await expiredHolds(ctx)), ...(await unconfiguredReadyNodes(ctx))];
  await reportNodeCounts(ctx);
  const images = await missingSnapshotRequests(ctx.db, ctx.config);
  return done(
    { outcome: 'reconciled', requested: created.length, retired: retired.length },
    [...created.map((node) => followUp.spawn(node.id)), ...retired, ...images],
  );
}

async function allocate(
  ctx: PoolContext,
  trx: Knex.Transaction,
  online: Map<string, boolean>,
): Promise<Node[]> {
  const history = await lockAllocation(trx);
  const demand = await loadDemand(trx);
  const paused = await pausedProviders(ctx, trx);
  const nodes = await countNodes(trx, demand.at);
  const { config } = ctx;

  const plan = planLaunches({
    labels: config.labels.map((label) => ({
      name: label.name,
      minReady: label.minReady,
      subnodes: label.subnodes,
      providers: label.providers,
    })),
    // A provider paused for quota is offered no label, so nothing is planned on it.
    providers: config.providers.map((provider) => ({
      name: provider.name,
      maxServers: provider.maxServers,
      labelsWithImage: paused.has(provider.name)
        ? []
        : config.labels
            .filter((label) => provider.images.some((image) => image.name === label.image))
            .map((label) => label.name),
    })),
    targets: config.targets.map((target) => ({
      name: target.name,
      online: online.get(target.name) ?? false,
    })),
    demand: demand.labels,
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
  return parseAllocationHistory(JSON.parse(row.value));
}

async function saveHistory(trx: Knex.Transaction, history: AllocationHistory, now: number) {
  await trx('pool_state')
    .where({ name: ALLOCATION_ROW })
    .update({ value: JSON.stringify(history), updated_at: now });
}

/**
 * Nodes per label, provider, target and state, as of the demand snapshot. Gearman counts a
 * running build until it ends, and its node is deleted moments later; a node that was still
 * in use when Gearman was read counts as used, not as gone, or each finished build would
 * buy a machine nobody asked for.
 */
async function countNodes(trx: Knex.Transaction, demandAt: number): Promise<NodeCount[]> {
  const rows = (await trx('nodes as n')
    .select('n.label', 'n.provider', 'n.target', 'n.state')
    .select(
      trx.raw(
        `exists (select 1 from node_transitions t where t.node_id = n.id
          and t.to_state = 'deleting' and t.at > ?) as left_after`,
        [demandAt],
      ),
    )
    .whereNot('n.state', 'deleted')
    .orWhere('n.state_time', '>', demandAt)) as {
    label: string;
    provider: string;
    target: string;
    state: string;
    left_after: number | boolean;
  }[];

  const counts = new Map<string, NodeCount>();
  for (const row of rows) {
    const gone = row.state === 'deleting' || row.state === 'deleted';
    if (row.state === 'deleted' && !row.left_after) continue;
    const state = (gone && row.left_after ? 'used' : row.state) as PoolNodeState;

    const key = [row.label, row.provider, row.target, state].join('\0');
    const entry = counts.get(key) ?? {
      label: row.label,
      provider: row.provider,
      target: row.target,
      state,
      count: 0,
    };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()];
}

async function pausedProviders(ctx: PoolContext, trx: Knex.Transaction) {
  const paused = new Set<string>();
  for (const provider of ctx.config.providers) {
    if ((await pausedFor(trx, provider.name, ctx.now())) > 0) paused.add(provider.name);
  }
  return paused;
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
