/**
 * The parts of a Zuul v2 `layout.yaml` a submitter needs: which project runs which job in
 * which pipeline, each pipeline's precedence, and the per-job settings of the `jobs:` section.
 */
import { parse } from 'yaml';

export type Precedence = 'low' | 'normal' | 'high';

export interface JobRun {
  project: string;
  pipeline: string;
  precedence: Precedence;
}

/** A `jobs:` entry; a name starting with `^` is a regular expression, as in Zuul. */
interface JobRule {
  name: string;
  matches(job: string): boolean;
  voting?: boolean;
  parameterFunction?: string;
}

export interface ZuulLayout {
  pipelines: Map<string, Precedence>;
  /** Every concrete job the projects run, with where it runs, in layout order. */
  runs: Map<string, JobRun[]>;
  rules: JobRule[];
}

/** Zuul never submits `noop`: it reports SUCCESS at once. */
const NOT_SUBMITTED = new Set(['noop']);

export function parseZuulLayout(text: string): ZuulLayout {
  const layout = asRecord(parse(text));

  const pipelines = new Map<string, Precedence>();
  for (const pipeline of asList(layout.pipelines).map(asRecord)) {
    const precedence = pipeline.precedence;
    const known = precedence === 'low' || precedence === 'high' ? precedence : 'normal';
    pipelines.set(String(pipeline.name), known);
  }

  const templates = new Map<string, Record<string, unknown>>();
  for (const template of asList(layout['project-templates']).map(asRecord)) {
    templates.set(String(template.name), template);
  }

  const runs = new Map<string, JobRun[]>();
  const record = (project: string, pipeline: string, job: string) => {
    if (NOT_SUBMITTED.has(job) || !pipelines.has(pipeline)) return;
    const list = runs.get(job) ?? [];
    if (!list.some((run) => run.project === project && run.pipeline === pipeline)) {
      list.push({ project, pipeline, precedence: pipelines.get(pipeline) ?? 'normal' });
    }
    runs.set(job, list);
  };

  for (const project of asList(layout.projects).map(asRecord)) {
    const name = String(project.name);
    const shortName = name.split('/').pop() ?? name;

    for (const use of asList(project.template).map(asRecord)) {
      const template = templates.get(String(use.name));
      if (!template) continue;
      // Zuul expands a template with its parameters, `name` being the project's short name.
      const params: Record<string, string> = { ...stringValues(use), name: shortName };
      forEachJob(template, (pipeline, job) => record(name, pipeline, expand(job, params)));
    }

    forEachJob(project, (pipeline, job) => record(name, pipeline, job));
  }

  const rules = asList(layout.jobs).map(asRecord).map(toRule);
  return { pipelines, runs, rules };
}

/** Zuul applies every matching `jobs:` entry in order; the last one that sets a value wins. */
export function jobVoting(layout: ZuulLayout, job: string): boolean {
  let voting = true;
  for (const rule of layout.rules) {
    if (rule.voting !== undefined && rule.matches(job)) voting = rule.voting;
  }
  return voting;
}

export function jobParameterFunction(layout: ZuulLayout, job: string): string | undefined {
  let found: string | undefined;
  for (const rule of layout.rules) {
    if (rule.parameterFunction !== undefined && rule.matches(job)) found = rule.parameterFunction;
  }
  return found;
}

function toRule(entry: Record<string, unknown>): JobRule {
  const name = String(entry.name);
  const rule: JobRule = { name, matches: (job) => job === name };

  if (name.startsWith('^')) {
    try {
      const pattern = new RegExp(name);
      // Python's re.match anchors at the start only, which the leading ^ already does.
      rule.matches = (job) => pattern.test(job);
    } catch {
      rule.matches = () => false;
    }
  }
  if (typeof entry.voting === 'boolean') rule.voting = entry.voting;
  if (typeof entry['parameter-function'] === 'string') {
    rule.parameterFunction = entry['parameter-function'];
  }
  return rule;
}

/** Pipelines are the keys besides `name` and `template`; job lists may nest dependent jobs. */
function forEachJob(
  holder: Record<string, unknown>,
  visit: (pipeline: string, job: string) => void,
) {
  for (const [pipeline, jobs] of Object.entries(holder)) {
    if (pipeline === 'name' || pipeline === 'template') continue;
    walkJobs(jobs, (job) => visit(pipeline, job));
  }
}

function walkJobs(tree: unknown, visit: (job: string) => void) {
  if (typeof tree === 'string') {
    visit(tree);
    return;
  }
  if (Array.isArray(tree)) {
    for (const item of tree) walkJobs(item, visit);
    return;
  }
  if (tree && typeof tree === 'object') {
    for (const [job, dependents] of Object.entries(tree)) {
      visit(job);
      walkJobs(dependents, visit);
    }
  }
}

function expand(job: string, params: Record<string, string>) {
  return job.replace(/\{(\w+)\}/g, (whole, key: string) => params[key] ?? whole);
}

function stringValues(record: Record<string, unknown>) {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
  }
  return out;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
