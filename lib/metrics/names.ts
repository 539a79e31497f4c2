/**
 * Metric names exactly as Nodepool 0.2.0 sent them, so that dashboards and alerts built for
 * Nodepool (graphite paths such as `stats.gauges.nodepool.provider.*.nodes.ready`) keep
 * working. Names of providers, labels, jobs and so on are used as they are: Nodepool did
 * the same, dots included. Only the characters that would break a statsd line are replaced.
 */

/** Outcomes of a launch, as Nodepool's launcher named them. */
export const LaunchResult = {
  Ready: 'ready',
  /** Nothing to boot from: the image is missing in the cloud. */
  NoImage: 'error.nodepool',
  /** The server did not become ACTIVE: ERROR, vanished, or launch-timeout. */
  Status: 'error.status',
  /** The server became ACTIVE without an address to reach it on. */
  Network: 'error.network',
  /** No SSH login within boot-timeout. */
  Auth: 'error.auth',
  Unknown: 'error.unknown',
} as const;

export type LaunchResult = (typeof LaunchResult)[keyof typeof LaunchResult];

/** statsd separates name, value and type with `:` and `|`; `@` starts a sample rate. */
export function metricPart(name: string): string {
  return name.replace(/[:|@#\s]/g, '_');
}

export interface LaunchFacts {
  provider: string;
  az: string | null;
  image: string;
  target: string;
}

/** Every key one launch is reported under, Nodepool's variants from the total down. */
export function launchKeys(facts: LaunchFacts, result: LaunchResult): string[] {
  const keys = [
    `nodepool.launch.${result}`,
    `nodepool.launch.provider.${metricPart(facts.provider)}.${result}`,
  ];
  if (facts.az) {
    keys.push(
      `nodepool.launch.provider.${metricPart(facts.provider)}.${metricPart(facts.az)}.${result}`,
    );
  }
  keys.push(`nodepool.launch.image.${metricPart(facts.image)}.${result}`);
  keys.push(`nodepool.launch.target.${metricPart(facts.target)}.${result}`);
  return keys;
}

export function deleteKey(facts: { image: string; provider: string; target: string }): string {
  return `nodepool.delete.${[facts.image, facts.provider, facts.target].map(metricPart).join('.')}`;
}

export interface JobFacts {
  job: string;
  branch?: string;
  label: string;
  provider: string;
}

/**
 * `nodepool.job.<job>`, then `.<branch>`, `.<label>`, `.<provider>` below it; each prefix
 * gets its `.runtime` timer and `.builds` counter. A build without a branch (not started by
 * Zuul) is counted under the job only, rather than under a made-up branch.
 */
export function jobPrefixes(facts: JobFacts): string[] {
  const first = `nodepool.job.${metricPart(facts.job)}`;
  if (!facts.branch) return [first];
  const parts = [facts.branch, facts.label, facts.provider].map(metricPart);
  return [first, ...parts.map((_, i) => `${first}.${parts.slice(0, i + 1).join('.')}`)];
}

/** Per-call API timer: the manager is the provider or the target, the task Nodepool's name. */
export function taskKey(manager: string, task: string): string {
  return `nodepool.task.${metricPart(manager)}.${metricPart(task)}`;
}

export function maxServersKey(provider: string): string {
  return `nodepool.provider.${metricPart(provider)}.max_servers`;
}
