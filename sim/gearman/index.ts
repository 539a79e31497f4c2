/** A hand-written Gearman worker and client, enough to stand in for Zuul and Jenkins. */
export { GearmanClient } from './client.ts';
export type {
  GearmanClientOptions,
  JobOutcome,
  JobPriority,
  JobResult,
  SubmitOptions,
} from './client.ts';
export type { GearmanJob } from './job.ts';
export { GearmanWorker } from './worker.ts';
export type { GearmanWorkerOptions, JobHandler } from './worker.ts';
