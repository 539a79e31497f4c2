/**
 * How many builds wait for each node label, read from the Gearman `status` of every server
 * the way Nodepool did from mid-2015 on:
 *
 * - only functions named `build:...` count;
 * - `build:JOB:LABEL` is registered by a Jenkins executor whose node carries LABEL; the name
 *   is split on `:` and the last two parts taken, so a job name holding `:` mis-parses just as
 *   it did in Nodepool;
 * - its TOTAL (queued plus running, not TOTAL - RUNNING) is demand for LABEL, and the label is
 *   remembered for JOB in order of appearance even when nothing waits;
 * - `build:JOB` waiting jobs are given, once all servers are read, to the first label seen
 *   for JOB on any server; a job that no labelled function names gives no demand, since no
 *   node whiskpool could boot would register it.
 *
 * Running builds are counted on purpose: the node running one is still busy, and the pool
 * subtracts the nodes it already has elsewhere.
 */
import type { FunctionStatus, GearmanStatus } from './status.ts';

export interface BuildDemand {
  /** Builds waiting or running per label; labels with none are absent. */
  demand: Map<string, number>;
  /** The labels each job was seen registered with, first seen first. */
  jobLabels: Map<string, string[]>;
}

const BUILD_PREFIX = 'build:';

export function buildDemand(servers: readonly Pick<GearmanStatus, 'functions'>[]): BuildDemand {
  const demand = new Map<string, number>();
  const jobLabels = new Map<string, string[]>();
  const unlabelled = new Map<string, number>();

  for (const server of servers) {
    for (const fn of server.functions) {
      const parsed = parseBuildFunction(fn);
      if (!parsed) continue;

      if (parsed.label === undefined) {
        if (fn.total > 0) add(unlabelled, parsed.job, fn.total);
        continue;
      }

      const labels = jobLabels.get(parsed.job) ?? [];
      if (!labels.includes(parsed.label)) labels.push(parsed.label);
      jobLabels.set(parsed.job, labels);
      if (fn.total > 0) add(demand, parsed.label, fn.total);
    }
  }

  for (const [job, waiting] of unlabelled) {
    const first = jobLabels.get(job)?.[0];
    if (first !== undefined) add(demand, first, waiting);
  }

  return { demand, jobLabels };
}

/**
 * `build:JOB` -> {job}; `build:...:JOB:LABEL` -> {job, label}; anything else, including an
 * empty job or label that no Jenkins would register, -> undefined.
 */
export function parseBuildFunction(fn: Pick<FunctionStatus, 'name'>) {
  if (!fn.name.startsWith(BUILD_PREFIX)) return undefined;

  const parts = fn.name.slice(BUILD_PREFIX.length).split(':');
  const [job = '', label] = parts.length === 1 ? parts : parts.slice(-2);
  if (job === '' || label === '') return undefined;
  return { job, label };
}

function add(counts: Map<string, number>, key: string, amount: number) {
  counts.set(key, (counts.get(key) ?? 0) + amount);
}
