import { readOwnership, ownedBy } from '../cloud/metadata.ts';
import { jenkinsNodeName, renderHostname } from '../config/index.ts';
import { isWhiskpoolError } from '../errors.ts';
import type { FollowUp } from '../events/messages.ts';
import { isLiveTemplateServer } from '../image/live-template.ts';
import type { JenkinsNode } from '../jenkins/index.ts';
import type { Node } from '../node/node.ts';
import { getNode, listNodes } from '../node/repository.ts';
import { LIVE_STATES, type NodeState } from '../node/states.ts';
import { done, type PoolContext, type StepOutcome } from './context.ts';
import { finishBuild } from './delete.ts';
import { failNode } from './fail.ts';
import { followUp } from './follow-ups.ts';
import { readState, writeState } from './pool-state.ts';
import { isLiveSubnodeServer } from './subnodes.ts';
import { providerOf } from './topology.ts';

/**
 * A node that nothing has moved or looked at for this long has lost the message that would
 * move it on (a crash between two steps, a message parked as dead); the sweep sends it again.
 * Waiting steps look at their node at least every few seconds.
 */
const STALL_MS = 20_000;
/** A ready node's agent may take a moment to appear in Jenkins' list after registration. */
const AGENT_GRACE_MS = 30_000;

interface SweepState {
  round: number;
  /** Server ids owned by this pool that had no live node at the last sweep. */
  leakCandidates: string[];
}

/**
 * The periodic sweep: re-sends lost steps, fails nodes stuck past their state's timeout,
 * finds builds that ended without their events reaching us, and removes servers and Jenkins
 * agents that the database does not know. Everything it does is also safe to do twice.
 */
export async function sweep(ctx: PoolContext): Promise<StepOutcome> {
  const state = await readState<SweepState>(ctx.db, 'sweep', { round: 0, leakCandidates: [] });
  const round = state.round + 1;
  const events: FollowUp[] = [];
  const summary: Record<string, number> = {};
  const count = (key: string, n = 1) => (summary[key] = (summary[key] ?? 0) + n);

  const nodes = await listNodes(ctx.db, { states: LIVE_STATES });
  for (const node of nodes) {
    const outcome = await sweepNode(ctx, node, round);
    if (outcome) {
      events.push(...outcome.events);
      count(String(outcome.summary.sweep ?? 'resent'));
    }
  }

  const lost = await recoverLostBuilds(ctx, nodes);
  events.push(...lost.events);
  count('lost-builds', lost.found);

  const leaks = await sweepLeakedServers(ctx, state.leakCandidates);
  count('leaked-servers', leaks.deleted);
  count('orphaned-agents', await sweepOrphanedAgents(ctx));

  await writeState(ctx.db, 'sweep', { round, leakCandidates: leaks.candidates }, ctx.now());
  if (Object.keys(summary).length > 0) ctx.log.info({ round, ...summary }, 'sweep');
  return done({ outcome: 'swept', round, ...summary }, events);
}

async function sweepNode(ctx: PoolContext, node: Node, round: number) {
  const age = ctx.now() - node.stateTime;
  const limit = timeoutOf(ctx, node.state) * 1000;
  const expired = limit > 0 && age > limit;
  const stalled = ctx.now() - Math.max(node.stateTime, node.checkedAt ?? 0) > STALL_MS;
  const resend = (message: FollowUp) =>
    done({ sweep: 'resent', node: node.id }, [{ ...message, id: `${message.id}-sweep-${round}` }]);

  switch (node.state) {
    case 'requested':
    case 'building':
    case 'booted':
      if (expired) return withTag(await failNode(ctx, node, `stuck ${node.state}`), 'expired');
      if (!stalled) return null;
      if (node.state === 'requested' || !node.externalId) return resend(followUp.spawn(node.id));
      return resend(followUp.readyCheck(node.id));
    case 'ready':
      return expired ? withTag(await failNode(ctx, node, 'ready too long'), 'expired') : null;
    case 'in-use':
      return expired ? withTag(await failNode(ctx, node, 'build ran too long'), 'expired') : null;
    case 'used':
    case 'failed':
      return stalled ? resend(followUp.delete(node.id, node.state)) : null;
    case 'deleting':
      if (expired) {
        ctx.log.error({ node: node.id, server: node.externalId }, 'server will not go away');
      }
      return stalled ? resend(followUp.delete(node.id, 'retry')) : null;
    default:
      return null;
  }
}

function withTag(outcome: StepOutcome, tag: string): StepOutcome {
  return { ...outcome, summary: { ...outcome.summary, sweep: tag } };
}

function timeoutOf(ctx: PoolContext, state: NodeState): number {
  const { timeouts } = ctx.config;
  switch (state) {
    case 'requested':
    case 'building':
      return timeouts.building;
    case 'booted':
      return timeouts.booted;
    case 'ready':
      return timeouts.ready;
    case 'in-use':
      return timeouts.inUse;
    case 'used':
      return timeouts.used;
    case 'deleting':
      return timeouts.deleting;
    default:
      return 0;
  }
}

/**
 * Builds whose events never reached us. The Gearman plugin takes a node offline once its build
 * is done, and the offline step does so when a build starts: a ready or in-use node whose
 * agent is offline and idle has run its build, and goes. A ready node whose agent vanished
 * cannot be trusted either. Nodepool kept such nodes as capacity for ever.
 */
async function recoverLostBuilds(ctx: PoolContext, nodes: Node[]) {
  const events: FollowUp[] = [];
  let found = 0;
  const candidates = nodes.filter((n) => n.state === 'ready' || n.state === 'in-use');

  for (const target of ctx.config.targets) {
    const jenkins = ctx.jenkins(target.name);
    const mine = candidates.filter((n) => n.target === target.name && n.nodeName);
    if (!jenkins || mine.length === 0) continue;

    let agents: Map<string, JenkinsNode>;
    try {
      agents = new Map((await jenkins.listNodes()).map((agent) => [agent.name, agent]));
    } catch (error) {
      if (!isWhiskpoolError(error)) throw error;
      ctx.log.warn({ target: target.name, err: error.message }, 'cannot list Jenkins agents');
      continue;
    }

    for (const node of mine) {
      const agent = agents.get(node.nodeName!);
      const settled = ctx.now() - node.stateTime > AGENT_GRACE_MS;
      if (!agent && settled) {
        found += 1;
        events.push(...(await failNode(ctx, node, 'its Jenkins agent is gone')).events);
      } else if (agent && agent.temporarilyOffline && agent.idle) {
        found += 1;
        ctx.log.warn({ node: node.id, agent: agent.name }, 'build ended without events; deleting');
        const outcome = await finishBuild(ctx, {
          phase: 'finalized',
          job: 'unknown',
          number: 0,
          nodeName: node.nodeName!,
          publisher: 'sweep',
          at: ctx.now(),
        });
        events.push(...outcome.events);
        if (outcome.retryAfterMs !== undefined) {
          events.push({ ...followUp.delete(node.id, 'used'), id: `delete-${node.id}-lost` });
        }
      }
    }
  }
  return { events, found };
}

/**
 * Servers tagged with this pool's id whose node is gone. A candidate is deleted only when two
 * sweeps in a row saw it, and never while its node is alive: node rows are written before
 * their server is asked for, so a server being launched always has a live row.
 */
async function sweepLeakedServers(ctx: PoolContext, previous: string[]) {
  const candidates: string[] = [];
  let deleted = 0;

  for (const provider of ctx.config.providers) {
    let servers;
    try {
      servers = await ctx.cloud(provider.name).listServers();
    } catch (error) {
      if (!isWhiskpoolError(error)) throw error;
      ctx.log.warn({ provider: provider.name, err: error.message }, 'cannot list servers');
      continue;
    }

    for (const server of servers) {
      if (!ownedBy(server, ctx.config.poolId)) continue;
      const owner = readOwnership(server.metadata);
      const nodeId = Number(owner?.nodeId);
      const node = Number.isInteger(nodeId) ? await getNode(ctx.db, nodeId) : null;
      const alive = node && node.state !== 'deleted' && node.externalId === server.id;
      const launching = node && !node.externalId && ['requested', 'building'].includes(node.state);
      if (alive || launching || (await isLiveSubnodeServer(ctx, server))) continue;
      if (await isLiveTemplateServer(ctx.db, server)) continue;

      if (!previous.includes(server.id)) {
        candidates.push(server.id);
        continue;
      }
      ctx.log.warn({ provider: provider.name, server: server.id, node: nodeId }, 'leaked server');
      try {
        await ctx.cloud(provider.name).deleteServer(server.id);
        deleted += 1;
      } catch (error) {
        if (!isWhiskpoolError(error)) throw error;
        candidates.push(server.id);
      }
    }
  }
  return { candidates, deleted };
}

/** Jenkins agents named like this pool's nodes that no live node owns. */
async function sweepOrphanedAgents(ctx: PoolContext): Promise<number> {
  let removed = 0;
  const live = await listNodes(ctx.db, { states: LIVE_STATES });
  const liveNames = new Set(live.map((node) => node.nodeName));

  for (const target of ctx.config.targets) {
    const jenkins = ctx.jenkins(target.name);
    if (!jenkins) continue;
    let agents: JenkinsNode[];
    try {
      agents = await jenkins.listNodes();
    } catch (error) {
      if (!isWhiskpoolError(error)) throw error;
      continue;
    }

    const patterns = agentNamePatterns(ctx, target.name);
    for (const agent of agents) {
      if (agent.isMaster || liveNames.has(agent.name)) continue;
      if (!patterns.some((pattern) => pattern.test(agent.name))) continue;
      ctx.log.warn({ target: target.name, agent: agent.name }, 'orphaned Jenkins agent');
      await jenkins.deleteNode(agent.name);
      removed += 1;
    }
  }
  return removed;
}

/**
 * Names this pool gives its agents on a target: the target's hostname template up to the
 * first dot, with any node id. A static agent with another name is never touched.
 */
function agentNamePatterns(ctx: PoolContext, targetName: string): RegExp[] {
  const target = ctx.config.targets.find((t) => t.name === targetName);
  if (!target) return [];
  const marker = '\u0001';
  return ctx.config.labels.flatMap((label) =>
    label.providers.map((provider) => {
      const name = jenkinsNodeName(
        renderHostname(target.hostname, {
          label: { name: label.name },
          provider: { name: provider },
          target: { name: target.name },
          nodeId: marker,
        }),
      );
      const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(marker, '\\d+');
      return new RegExp(`^${escaped}$`);
    }),
  );
}
