/**
 * Real (job, label) pairs for the stand-ins, derived from Wikimedia's CI configuration of
 * December 2015: the Zuul layout says which jobs exist and where they run, the JJB file says
 * which Jenkins label each of some jobs needs, and the Nodepool file names the labels Nodepool
 * served. A label takes the jobs of sources 1 and 2; a label neither gives any job to takes
 * those of source 3, and failing that of source 4:
 *
 * 1. `jjb-node`: jobs whose JJB `node:` expression has the label as an atom; this is what the
 *    Gearman plugin registers as `build:JOB:LABEL`. `ci-jessie-wikimedia` is named this way.
 * 2. `offline-when-complete`: Wikimedia's Zuul gave the `offline_when_complete` parameter
 *    function only to jobs that ran on Nodepool instances, and Nodepool had a single label in
 *    2015-12, so such jobs whose JJB file we lack ran on that label (`rake-jessie` and
 *    `integration-jjb-config-diff`, for example).
 * 3. `distro`: Wikimedia added `ci-trusty-wikimedia` only in 2016, so no 2015 job names it.
 *    Its builds are the jobs that then ran on permanent Trusty slaves, JJB node
 *    `contintLabsSlave && UbuntuTrusty`; likewise `ci-precise-wikimedia` takes the
 *    `UbuntuPrecise` jobs. The jobs are real, only their label is the later one.
 * 4. `layout`: any other label (a test's made-up label, another site's) gets a share of the
 *    layout's jobs that no source above places, most widely run first, so that it still
 *    receives real job names and each job belongs to one label only.
 *
 * A job is given to one label at most: Zuul v2 as Wikimedia ran it submits `build:JOB`, and
 * Nodepool charges that to the first label registered for JOB, so a job shared between two
 * labels would make the second label's demand invisible.
 */
import { findJobNode, parseJjbNodes, type JobNode } from './jjb.ts';
import { parseNodepoolLabels } from './nodepool-labels.ts';
import { readDataFile, WIKIMEDIA_SOURCES } from './sources.ts';
import {
  jobParameterFunction,
  jobVoting,
  parseZuulLayout,
  type JobRun,
  type ZuulLayout,
} from './zuul-layout.ts';

export type CatalogSource = 'jjb-node' | 'offline-when-complete' | 'distro' | 'layout';

export interface CatalogEntry {
  job: string;
  label: string;
  source: CatalogSource;
  /** The JJB label expression, when the JJB file defines the job. */
  node?: string;
  /** ZUUL_VOTING as the layout's `jobs:` section sets it. */
  voting: boolean;
  /** The projects and pipelines that run the job, in layout order. */
  runs: JobRun[];
}

export interface CatalogOptions {
  labels: string[];
  /** How many jobs a label fed by source 4 gets at most; default 8. */
  sharedJobsPerLabel?: number;
}

const OFFLINE_WHEN_COMPLETE = 'offline_when_complete';

interface Job {
  name: string;
  node: JobNode | undefined;
  runs: JobRun[];
}

export function loadCatalog(options: CatalogOptions): CatalogEntry[] {
  const { layout, jobs, nodepoolLabels } = wikimediaSources();
  const labels = [...new Set(options.labels)];
  const picked = new Map<string, { job: Job; source: CatalogSource }[]>(
    labels.map((label) => [label, []]),
  );
  const claimed = new Set<string>();

  const claim = (label: string, source: CatalogSource, candidates: Job[]) => {
    for (const job of candidates) {
      if (claimed.has(job.name)) continue;
      claimed.add(job.name);
      picked.get(label)?.push({ job, source });
    }
  };
  const empty = () => labels.filter((label) => picked.get(label)?.length === 0);

  for (const label of labels) {
    claim(label, 'jjb-node', jobs.filter((job) => job.node?.atoms.includes(label)));
  }

  const onlyNodepoolLabel = nodepoolLabels.length === 1 ? nodepoolLabels[0] : undefined;
  if (onlyNodepoolLabel !== undefined && picked.has(onlyNodepoolLabel)) {
    const offline = jobs.filter(
      (job) => !job.node && jobParameterFunction(layout, job.name) === OFFLINE_WHEN_COMPLETE,
    );
    claim(onlyNodepoolLabel, 'offline-when-complete', offline);
  }

  for (const label of empty()) {
    const atom = distroAtom(label);
    if (atom) claim(label, 'distro', jobs.filter((job) => job.node?.atoms.includes(atom)));
  }

  shareLayoutJobs(layout, jobs, empty(), claimed, options.sharedJobsPerLabel ?? 8, claim);

  return labels.flatMap((label) =>
    (picked.get(label) ?? []).map(({ job, source }) => entry(layout, job, label, source)),
  );
}

/** The Wikimedia nodepool labels of 2015-12, for callers that want "the real ones". */
export function wikimediaNodepoolLabels(): string[] {
  return [...wikimediaSources().nodepoolLabels];
}

interface Sources {
  layout: ZuulLayout;
  jobs: Job[];
  nodepoolLabels: string[];
}

/** Parsing the 200 kB layout takes about a second; the files never change while we run. */
let sources: Sources | undefined;

function wikimediaSources(): Sources {
  if (sources) return sources;

  const layout = parseZuulLayout(readDataFile(WIKIMEDIA_SOURCES.zuulLayout));
  const jjb = parseJjbNodes(readDataFile(WIKIMEDIA_SOURCES.jjbJobs));
  const jobs = [...layout.runs].map(([name, runs]) => ({
    name,
    node: findJobNode(jjb, name),
    runs,
  }));
  const nodepoolLabels = parseNodepoolLabels(readDataFile(WIKIMEDIA_SOURCES.nodepool));

  sources = { layout, jobs, nodepoolLabels };
  return sources;
}

/** `ci-trusty-wikimedia` -> `UbuntuTrusty`, the atom Wikimedia's permanent slaves carried. */
function distroAtom(label: string): string | undefined {
  const match = /^ci-([a-z]+)-wikimedia$/.exec(label);
  const distro = match?.[1];
  if (!distro) return undefined;
  return `Ubuntu${distro[0]?.toUpperCase()}${distro.slice(1)}`;
}

function shareLayoutJobs(
  layout: ZuulLayout,
  jobs: Job[],
  labels: string[],
  claimed: Set<string>,
  perLabel: number,
  claim: (label: string, source: CatalogSource, candidates: Job[]) => void,
) {
  if (labels.length === 0) return;

  const pool = jobs
    .filter((job) => !claimed.has(job.name) && !job.node)
    .filter((job) => jobParameterFunction(layout, job.name) !== OFFLINE_WHEN_COMPLETE)
    .sort((a, b) => b.runs.length - a.runs.length || a.name.localeCompare(b.name));

  labels.forEach((label, index) => {
    const share: Job[] = [];
    for (let i = index; i < pool.length && share.length < perLabel; i += labels.length) {
      share.push(pool[i]!);
    }
    claim(label, 'layout', share);
  });
}

function entry(layout: ZuulLayout, job: Job, label: string, source: CatalogSource) {
  const result: CatalogEntry = {
    job: job.name,
    label,
    source,
    voting: jobVoting(layout, job.name),
    runs: job.runs.map((run) => ({ ...run })),
  };
  if (job.node) result.node = job.node.node;
  return result;
}
