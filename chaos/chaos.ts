import { setTimeout as sleep } from 'node:timers/promises';

import { startLocalStack, type LocalStack } from '../deploy/local-stack.ts';
import { loadConfig } from '../lib/config/index.ts';
import { openDatabase, type Database } from '../lib/db/connect.ts';
import type { Logger } from '../lib/log.ts';
import { listNodes, listTransitions } from '../lib/node/repository.ts';
import { isLegalTransition, LIVE_STATES, type NodeState } from '../lib/node/states.ts';
import { writeTestPool, type TestPool } from '../test/support/pool-config.ts';

export interface ChaosOptions {
  builds: number;
  /** Where state lives; SQLite in the run's directory when absent. */
  databaseUrl?: string;
  /** Mean seconds between two kills. */
  killEverySeconds: number;
  log: Logger;
  random?: () => number;
}

export interface ChaosResult {
  builds: number;
  completed: number;
  reused: number;
  leaked: number;
  orphaned: number;
  illegal: number;
  overQuota: number;
  kills: Record<string, number>;
}

const LABELS = ['ci-jessie-wikimedia', 'ci-trusty-wikimedia'];
const MIN_READY = 2;
const MAX_SERVERS = 6;
/** What gets SIGKILLed and started again; the stand-ins play the outside world and stay. */
const VICTIMS = [
  'gearman-bridge',
  'jenkins-bridge',
  'dispatch',
  'action-host',
  'nats-server',
  'gearmand',
];
const TRANSIENT: NodeState[] = LIVE_STATES.filter((s) => s !== 'ready' && s !== 'hold');

/**
 * Runs builds on the local stack while killing its parts at random moments, with faults
 * switched on in the cloud and in Jenkins' event stream; then lets the sweep finish and
 * counts what went wrong. Every count but `completed` must end at zero.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const random = options.random ?? Math.random;
  const pool = await writeTestPool({
    labels: LABELS.map((name) => ({ name, minReady: MIN_READY })),
    maxServers: MAX_SERVERS,
    databaseUrl: options.databaseUrl,
    // The sweep every four seconds (Nodepool's sixth cron field is seconds), so that what
    // the kills lose is found again quickly.
    extra: "cron:\n  cleanup: '* * * * * */4'\ntimeouts:\n  used: 30\n  deleting: 60\n",
  });
  const { config } = await loadConfig(pool.configPath);
  const completed = new Set<string>();
  const kills: Record<string, number> = {};

  const stack = await startLocalStack({
    configPath: pool.configPath,
    config,
    dataDir: pool.dir,
    log: options.log,
    standIns: true,
    // Every kill of gearmand loses the builds queued in it; like Zuul, the submitter submits
    // them again, as often as it takes.
    submitter: { rate: 5, builds: options.builds, relaunchLost: 1000 },
    bootDelayMs: 50,
    buildDurationMs: 300,
    gearmanPollMs: 250,
  });
  let submitterDone = false;
  stack.submitter?.onLine((line) => {
    const build = line.build as { uuid?: string; outcome?: string } | undefined;
    if (build?.outcome === 'complete' && build.uuid) completed.add(build.uuid);
    if ('summary' in line) submitterDone = true;
  });
  const db = openDatabase({ url: pool.databaseUrl });

  let overQuota = 0;
  try {
    await setFaults(pool, true);
    const deadline = Date.now() + options.builds * 2_000 + 120_000;
    let nextKill = Date.now() + 2_000;

    // Parts that failed to come back after their kill; started again before anything else.
    const down = new Set<string>();
    const restart = async (name: string) => {
      try {
        await stack.restart(name);
        down.delete(name);
      } catch (error) {
        options.log.warn({ victim: name, err: String(error) }, 'chaos: restart failed');
        down.add(name);
      }
    };

    while (completed.size < options.builds && !submitterDone && Date.now() < deadline) {
      overQuota += (await heldServers(pool)) > MAX_SERVERS ? 1 : 0;
      for (const name of [...down]) await restart(name);
      if (Date.now() >= nextKill) {
        const victim = VICTIMS[Math.floor(random() * VICTIMS.length)]!;
        options.log.info({ victim, completed: completed.size }, 'chaos: killing');
        kills[victim] = (kills[victim] ?? 0) + 1;
        await restart(victim);
        nextKill = Date.now() + options.killEverySeconds * 1000 * (0.5 + random());
      }
      await sleep(200);
    }
    for (const name of [...down]) await restart(name);

    await setFaults(pool, false);
    await settle(db, pool, options.log);
    return {
      builds: options.builds,
      completed: completed.size,
      ...(await count(db, pool)),
      overQuota: overQuota + ((await peakServers(pool)) > MAX_SERVERS ? 1 : 0),
      kills,
    };
  } finally {
    await db.destroy();
    await stack.stop();
  }
}

export function formatChaos(result: ChaosResult): string {
  return (
    `chaos: builds=${result.builds} completed=${result.completed} reused=${result.reused} ` +
    `leaked=${result.leaked} orphaned=${result.orphaned} illegal=${result.illegal} ` +
    `over_quota=${result.overQuota}`
  );
}

export function chaosPassed(result: ChaosResult): boolean {
  return (
    result.completed === result.builds &&
    result.reused + result.leaked + result.orphaned + result.illegal + result.overQuota === 0
  );
}

async function setFaults(pool: TestPool, on: boolean) {
  const cloud = on
    ? {
        novaErrors: { rate: 0.02 },
        bootErrors: { rate: 0.05 },
        deleteFailures: { rate: 0.05, mode: 'error' },
      }
    : {};
  await fetch(`${pool.openstackUrl}/_sim/faults`, { method: on ? 'POST' : 'DELETE',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(cloud) });
  const zmq = on
    ? { zmq: { dropRate: 0.05, duplicateRate: 0.05, reorderRate: 0.05 } }
    : { zmq: { dropRate: 0, duplicateRate: 0, reorderRate: 0 } };
  await fetch(`${pool.jenkinsUrl}/_sim/faults`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(zmq) });
}

/** Waits until every node is ready or gone and the cloud holds exactly the live nodes. */
async function settle(db: Database, pool: TestPool, log: Logger) {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const transient = await listNodes(db, { states: TRANSIENT });
    const counts = await count(db, pool);
    if (transient.length === 0 && counts.leaked === 0 && counts.orphaned === 0) return;
    await sleep(1000);
  }
  log.warn('chaos: the pool did not settle in time');
}

async function count(db: Database, pool: TestPool) {
  const live = await listNodes(db, { states: LIVE_STATES });
  const liveIds = new Set(live.map((node) => String(node.id)));
  const liveNames = new Set(live.map((node) => node.nodeName));

  const cloud = (await (await fetch(`${pool.openstackUrl}/_sim/state`)).json()) as {
    servers: { metadata: Record<string, string> }[];
  };
  const leaked = cloud.servers.filter((s) => !liveIds.has(s.metadata['whiskpool-node-id'] ?? ''));

  const agents = (await (
    await fetch(`${pool.jenkinsUrl}/computer/api/json`, {
      headers: { authorization: pool.jenkinsAuth },
    })
  ).json()) as { computer: { displayName: string; _class?: string }[] };
  const orphaned = agents.computer.filter(
    (c) => !c._class?.includes('MasterComputer') && !liveNames.has(c.displayName),
  );

  const builds = (await (await fetch(`${pool.jenkinsUrl}/_sim/builds`)).json()) as {
    builds: { machine: string }[];
  };
  const perMachine = new Map<string, number>();
  for (const build of builds.builds) {
    perMachine.set(build.machine, (perMachine.get(build.machine) ?? 0) + 1);
  }

  let illegal = 0;
  const last = new Map<number, NodeState | null>();
  for (const t of await listTransitions(db)) {
    if (!isLegalTransition(t.from, t.to) || (last.get(t.nodeId) ?? null) !== t.from) illegal += 1;
    last.set(t.nodeId, t.to);
  }

  return {
    reused: [...perMachine.values()].filter((n) => n > 1).length,
    leaked: leaked.length,
    orphaned: orphaned.length,
    illegal,
  };
}

async function heldServers(pool: TestPool): Promise<number> {
  const state = (await (await fetch(`${pool.openstackUrl}/_sim/state`)).json()) as {
    servers: unknown[];
  };
  return state.servers.length;
}

async function peakServers(pool: TestPool): Promise<number> {
  const state = (await (await fetch(`${pool.openstackUrl}/_sim/state`)).json()) as {
    peakServers: number;
  };
  return state.peakServers;
}

export type { LocalStack };
