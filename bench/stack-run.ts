import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { startLocalStack, type LocalStack } from '../deploy/local-stack.ts';
import { startNodeProcess } from '../deploy/services/node-process.ts';
import { actionSettings } from '../cli/config-file.ts';
import type { ActionSettings } from '../lib/actions/settings.ts';
import { loadConfig } from '../lib/config/index.ts';
import { Subject } from '../lib/events/subjects.ts';
import type { Logger } from '../lib/log.ts';
import type { TestMariaDb } from '../test/support/mariadb.ts';
import type { TestPool } from '../test/support/pool-config.ts';
import {
  cpuBetween,
  sampleFootprint,
  type Footprint,
  type FootprintSampler,
} from './footprint.ts';
import {
  demandStages,
  demandToCreate,
  finalizeStages,
  finalizeToDelete,
  lifecycles,
  nodeIdOf,
  throughputOf,
  type ServerRecord,
  type SubmittedBuild,
  type Throughput,
} from './latency.ts';
import { BENCH_LABELS, writeBenchPool } from './pool-config.ts';
import { cloudState, postJson, simBuilds, streamMessages, waitSettled } from './records.ts';
import { summarize, type Summary } from './stats.ts';
import { traceMessages, type Trace } from './trace.ts';

export type DatabaseKind = 'sqlite' | 'mariadb';

export interface StackRunOptions {
  database: DatabaseKind;
  /** The private server MariaDB runs use; its connection peak is reset before the run. */
  mariadb?: TestMariaDb;
  maxServers: number;
  /** Builds of the throughput phase, and the rate they are offered at (per second). */
  builds: number;
  submitRate: number;
  /** Builds of the demand -> create phase, submitted slowly before the throughput phase. */
  probes: number;
  probeRate: number;
  gearmanPollMs: number;
  buildDurationMs: number;
  log: Logger;
  /** Keep the run's directory (configuration, logs, database) instead of removing it. */
  keep: boolean;
  /** Told as each step of the run begins. */
  progress?(step: string): void;
  /** Runs with the stack still up, once its footprint is taken: floors, action timings. */
  whileUp?(stack: UpStack): Promise<void>;
}

export interface UpStack {
  pool: TestPool;
  /** What the local host gives every action, for invoking them from outside it. */
  settings: ActionSettings;
  /** A node id that exists and is deleted, for invocations that must change nothing. */
  deletedNodeId: number | null;
}

export interface LightLoad {
  finalizeToDeleteMs: Summary;
  demandToCreateMs: Summary & { unmatched: number };
  /** Where each latency goes, hop by hop (see latency.ts), ms. */
  stages: Record<string, Summary>;
}

export interface StackRunResult {
  database: DatabaseKind;
  maxServers: number;
  dir: string;
  builds: { submitted: number; completed: number; timedOut: boolean };
  throughput: Throughput;
  /** Submitted -> machine gone, per build of the throughput phase, ms. */
  lifecycleMs: Summary;
  /** The slow probe builds: latencies of a pool that is not saturated; null without probes. */
  light: LightLoad | null;
  /** The throughput phase, every build offered at once: latencies under saturation. */
  saturated: { finalizeToDeleteMs: Summary; stages: Record<string, Summary> };
  /** Nodes whose server the cloud still held when the run ended. */
  serversLeft: number;
  peakServers: number;
  footprint: Footprint;
  /** MariaDB's Max_used_connections over the run; null on SQLite. */
  maxUsedConnections: number | null;
  /** CPU and run-queue time per process over the throughput phase, ms. */
  cpu: Record<string, { cpuMs: number; runQueueMs: number }>;
  /** JetStream messages per life cycle over the throughput phase. */
  messagesPerLifecycle: number | null;
}

const SAMPLE_MS = 250;

/**
 * One run of the local stack with the stand-ins at zero boot delay: waits for min-ready,
 * probes demand -> create with slow submissions, then offers the throughput phase's builds
 * and waits until every machine that ran one is gone from the cloud.
 */
export async function runStack(options: StackRunOptions): Promise<StackRunResult> {
  const { log } = options;
  const databaseUrl =
    options.database === 'mariadb' ? await options.mariadb?.createDatabase() : undefined;
  if (options.database === 'mariadb' && !databaseUrl) throw new Error('bench: no MariaDB given');

  const pool = await writeBenchPool({ maxServers: options.maxServers, databaseUrl });
  const loaded = await loadConfig(pool.configPath);
  const { config } = loaded;
  if (options.mariadb) await options.mariadb.service.asRoot('FLUSH STATUS');

  let stack: LocalStack | undefined;
  let trace: Trace | undefined;
  let sampler: FootprintSampler | undefined;
  try {
    const progress = options.progress ?? (() => undefined);
    progress('starting the stack');
    stack = await startLocalStack({
      configPath: pool.configPath,
      config,
      dataDir: pool.dir,
      log,
      standIns: true,
      bootDelayMs: 0,
      buildDurationMs: options.buildDurationMs,
      gearmanPollMs: options.gearmanPollMs,
    });
    // The stand-in's own quota stays out of the way: max-servers is what is measured.
    await postJson(`${pool.openstackUrl}/_sim/settings`, {
      maxInstances: options.maxServers * 2 + 100,
    });

    sampler = sampleFootprint(
      stack.processes.flatMap((p) =>
        p.process.pid ? [{ name: processName(p.name), pid: p.process.pid }] : [],
      ),
      {
        intervalMs: SAMPLE_MS,
        sqliteFile: options.database === 'sqlite' ? pool.databaseUrl.slice(7) : undefined,
      },
    );
    const submit = async (name: string, builds: number, rate: number) => {
      const zuul = await startNodeProcess({
        name,
        script: 'sim/zuul/main.ts',
        args: [
          '--gearman',
          `127.0.0.1:${pool.ports.gearman}`,
          '--rate',
          String(rate),
          '--builds',
          String(builds),
          '--labels',
          BENCH_LABELS.join(','),
          '--log-level',
          'warn',
        ],
        logFile: join(pool.dir, 'logs', `${name}.log`),
        announces: false,
      });
      if (zuul.process.pid) sampler?.add({ name, pid: zuul.process.pid });
      return zuul;
    };

    trace = await traceMessages(config.nats.url);
    progress('waiting for min-ready');
    await waitSettled(pool, 60_000);

    let probe: SubmittedBuild[] = [];
    let probeStart = Date.now();
    if (options.probes > 0) {
      progress(`demand probes: ${options.probes} builds at ${options.probeRate}/s`);
      probeStart = Date.now();
      probe = await phase(pool, await submit('zuul-probe', options.probes, options.probeRate), {
        builds: options.probes,
        timeoutMs: 60_000 + (options.probes / options.probeRate) * 1000,
      }).then((p) => p.builds);
      await waitSettled(pool, 60_000);
    }
    const probeEnd = Date.now();

    progress(`throughput: ${options.builds} builds offered at ${options.submitRate}/s`);
    const streamBefore = await streamMessages(config.nats.url);
    const cpuBefore = sampler.cpu();
    const main = await phase(pool, await submit('zuul', options.builds, options.submitRate), {
      builds: options.builds,
      timeoutMs: 120_000 + options.builds * 500,
    });
    const cpu = cpuBetween(cpuBefore, sampler.cpu());
    const streamAfter = await streamMessages(config.nats.url);
    const footprint = sampler.stop();
    progress('collecting the stand-ins records');
    await trace.stop();
    const sightings = trace.sightings();
    trace = undefined;

    const cloud = await cloudState(pool);
    const jenkinsBuilds = await simBuilds(pool);
    const cycles = lifecycles(main.builds, cloud.servers);
    const seen = (subject: string) => sightings.filter((s) => s.subject === subject);
    const finalized = seen(Subject.BuildFinalized);
    const ranOn = (builds: readonly SubmittedBuild[]) => {
      const names = new Set(builds.map((build) => build.nodeName));
      return jenkinsBuilds.filter((build) => names.has(build.nodeName));
    };

    let light: LightLoad | null = null;
    if (probe.length > 0) {
      const created = cloud.servers.filter(
        (s) => s.createdAt >= probeStart && s.createdAt <= probeEnd,
      );
      const { pairs, unmatched } = demandToCreate(
        probe.flatMap((build) => (build.submittedAt === undefined ? [] : [build.submittedAt])),
        created,
      );
      const probeBuilds = ranOn(probe);
      light = {
        finalizeToDeleteMs: summarize(finalizeToDelete(probeBuilds, cloud.servers)),
        demandToCreateMs: {
          ...summarize(pairs.map((pair) => pair.createdAt - pair.submittedAt)),
          unmatched,
        },
        stages: summarizeAll({
          ...prefixed(
            'demand.',
            demandStages(pairs, seen(Subject.Demand), seen(Subject.NodeSpawn)),
          ),
          ...prefixed('finalize.', finalizeStages(probeBuilds, cloud.servers, finalized)),
        }),
      };
    }
    const mainBuilds = ranOn(main.builds);

    await options.whileUp?.({
      pool,
      settings: actionSettings(loaded),
      deletedNodeId: deletedNodeOf(cloud.servers),
    });

    const result: StackRunResult = {
      database: options.database,
      maxServers: options.maxServers,
      dir: pool.dir,
      builds: {
        submitted: options.builds,
        completed: main.builds.filter((build) => build.outcome === 'complete').length,
        timedOut: main.timedOut,
      },
      throughput: throughputOf(cycles),
      lifecycleMs: summarize(cycles.map((cycle) => cycle.end - cycle.start)),
      light,
      saturated: {
        finalizeToDeleteMs: summarize(finalizeToDelete(mainBuilds, cloud.servers)),
        stages: summarizeAll(
          prefixed('finalize.', finalizeStages(mainBuilds, cloud.servers, finalized)),
        ),
      },
      serversLeft: cloud.live,
      peakServers: cloud.peakServers,
      footprint,
      maxUsedConnections: null,
      cpu: Object.fromEntries(cpu),
      messagesPerLifecycle:
        streamBefore !== null && streamAfter !== null && cycles.length > 0
          ? (streamAfter - streamBefore) / cycles.length
          : null,
    };
    progress('stopping the stack');
    await stack.stop();
    stack = undefined;
    if (options.mariadb) result.maxUsedConnections = await options.mariadb.maxUsedConnections();
    return result;
  } finally {
    sampler?.stop();
    await trace?.stop();
    await stack?.stop();
    if (!options.keep) rmSync(pool.dir, { recursive: true, force: true });
  }
}

interface Phase {
  builds: SubmittedBuild[];
  timedOut: boolean;
}

/**
 * Collects the submitter's records until every build ended, then waits until the cloud no
 * longer holds any machine that ran one of them.
 */
async function phase(
  pool: TestPool,
  zuul: Awaited<ReturnType<typeof startNodeProcess>>,
  options: { builds: number; timeoutMs: number },
): Promise<Phase> {
  const builds: SubmittedBuild[] = [];
  zuul.onLine((line) => {
    const build = line.build as Record<string, unknown> | undefined;
    if (!build) return;
    builds.push({
      outcome: String(build.outcome),
      nodeName: typeof build.nodeName === 'string' ? build.nodeName : undefined,
      submittedAt:
        typeof build.submittedAt === 'string' ? Date.parse(build.submittedAt) : undefined,
    });
  });

  const deadline = Date.now() + options.timeoutMs;
  try {
    while (builds.length < options.builds && Date.now() < deadline) await sleep(100);
    const names = new Set(builds.flatMap((build) => (build.nodeName ? [build.nodeName] : [])));
    while (Date.now() < deadline) {
      const { servers } = await cloudState(pool);
      if (servers.every((s) => !names.has(s.name) || s.deletedAt !== undefined)) break;
      await sleep(250);
    }
  } finally {
    await zuul.stop();
  }
  return { builds, timedOut: Date.now() >= deadline };
}

function prefixed(prefix: string, stages: Record<string, number[]>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(stages).map(([name, spans]) => [prefix + name, spans]));
}

function summarizeAll(stages: Record<string, number[]>): Record<string, Summary> {
  return Object.fromEntries(
    Object.entries(stages).map(([name, spans]) => [name, summarize(spans)]),
  );
}

/** `openstack-41239` and `gearmand-3811` by their role, the same in every run. */
function processName(name: string): string {
  return name.replace(/-\d+$/, '');
}

function deletedNodeOf(servers: readonly ServerRecord[]): number | null {
  const gone = servers.find((server) => server.deletedAt !== undefined);
  return gone ? nodeIdOf(gone.name) : null;
}
