import type { CloudProvider } from '../cloud/provider.ts';
import type { PoolConfig } from '../config/index.ts';
import type { Database } from '../db/connect.ts';
import type { FollowUp } from '../events/messages.ts';
import type { JenkinsClient } from '../jenkins/index.ts';
import type { ScriptFile } from '../image/scripts.ts';
import type { Logger } from '../log.ts';
import type { PoolMetrics } from '../metrics/index.ts';
import type { CommandResult, SshTarget } from '../ssh/session.ts';

/**
 * Everything a step of the node life may use. Actions build one per invocation from cached
 * connections; tests build one around real services.
 */
export interface PoolContext {
  db: Database;
  config: PoolConfig;
  log: Logger;
  now(): number;
  cloud(provider: string): CloudProvider;
  /** The Jenkins of a target, or null when the target has none. */
  jenkins(target: string): JenkinsClient | null;
  ssh(target: SshTarget, commands: string[]): Promise<CommandResult[]>;
  readPrivateKey(path: string): Promise<Buffer>;
  /** The files of script-dir; absent means they are read from this machine's disk. */
  readScripts?(scriptDir: string): Promise<ScriptFile[]>;
  /** False while the target's Jenkins is quieting down: it gets no new nodes then. */
  targetOnline(target: string): Promise<boolean>;
  /** Where the pool's statsd metrics go; absent means nowhere (see metricsOf). */
  metrics?: PoolMetrics;
}

/** What a step did and what should happen next. */
export interface StepOutcome {
  /** Messages to publish once the step's own changes are committed. */
  events: FollowUp[];
  /** Nothing more to do now; run this step again for the same message after this long. */
  retryAfterMs?: number;
  summary: Record<string, unknown>;
}

export function done(summary: Record<string, unknown>, events: FollowUp[] = []): StepOutcome {
  return { events, summary };
}

export function later(retryAfterMs: number, summary: Record<string, unknown>): StepOutcome {
  return { events: [], retryAfterMs, summary };
}
