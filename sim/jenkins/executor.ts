import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from '../../lib/log.ts';
import { GearmanWorker, type GearmanJob } from '../gearman/index.ts';
import { functionsFor } from './catalog.ts';
import type { Computer } from './computer.ts';
import type { SimJenkins } from './jenkins.ts';

/** The cause the Gearman plugin gives when it takes a single-use node offline. */
export const GEARMAN_OFFLINE_MESSAGE = 'Offline due to Gearman request';

/**
 * The Gearman plugin's executor worker for an agent's one executor: registers the agent's
 * jobs while it is online and takes one build at a time, running it as Jenkins would.
 */
export class Executor {
  private worker: GearmanWorker | undefined;
  private abort: AbortController | undefined;
  private readonly log: Logger;

  constructor(
    private readonly jenkins: SimJenkins,
    private readonly computer: Computer,
    private readonly gearman: { host: string; port: number },
    log: Logger,
  ) {
    this.log = log.child({ node: computer.name });
  }

  get workerId() {
    return `${this.computer.name}_exec-0`;
  }

  /** Brings the worker in line with the computer: what it registers and whether it takes work. */
  sync() {
    const computer = this.computer;
    if (computer.deleted) {
      if (computer.build) this.abort?.abort();
      else void this.close();
      return;
    }
    if (computer.connection !== 'online') return;

    const worker = this.ensureWorker();
    // Dropping a function while holding its job makes gearmand hand the job to someone else.
    if (computer.build) return;

    const functions = computer.registers ? this.functions() : new Map<string, string>();
    worker.setFunctions([...functions.keys()]);
    worker.setAccepting(computer.registers && !this.jenkins.quietingDown);
  }

  /** Stops a running build as the `stop` function does; the build ends ABORTED. */
  abortBuild() {
    this.abort?.abort();
  }

  async close() {
    this.abort?.abort();
    const worker = this.worker;
    this.worker = undefined;
    await worker?.close();
  }

  private ensureWorker(): GearmanWorker {
    if (this.worker) return this.worker;

    const worker = new GearmanWorker({
      host: this.gearman.host,
      port: this.gearman.port,
      clientId: this.workerId,
      log: this.log,
    });
    worker.setHandler((job) => this.run(job));
    worker.setAccepting(false);
    void worker.start();
    this.worker = worker;
    return worker;
  }

  private functions() {
    return functionsFor(this.jenkins.catalog, this.computer.config.labels);
  }

  private async run(job: GearmanJob) {
    const computer = this.computer;
    const jobName = this.functions().get(job.functionName);

    // A grab already in flight when the computer stopped taking work can still bring a job.
    if (computer.build || !computer.registers || this.jenkins.quietingDown || !jobName) {
      this.log.warn({ fn: job.functionName }, 'executor cannot take this job now; failing it');
      await job.fail().catch(() => undefined);
      return;
    }

    const parameters = parseParameters(job.payload);
    if (!parameters) {
      this.log.warn({ fn: job.functionName }, 'job arguments are not a JSON object of strings');
      await job.fail().catch(() => undefined);
      return;
    }

    this.worker?.setAccepting(false);
    await this.runBuild(job, jobName, parameters);
  }

  private async runBuild(job: GearmanJob, jobName: string, parameters: Record<string, string>) {
    const computer = this.computer;
    const build = this.jenkins.startBuild(jobName, computer, parameters, job.unique);
    const abort = new AbortController();
    this.abort = abort;

    const status = {
      name: jobName,
      number: build.number,
      manager: this.jenkins.masterName,
      worker: this.workerId,
      url: this.jenkins.buildUrl(build),
      node_name: computer.name,
      node_labels: computer.config.labels,
    };
    job.sendData(JSON.stringify(status));
    job.sendStatus(0, this.jenkins.buildDurationMs);
    this.jenkins.publishBuildEvent('onStarted', build);

    await sleep(this.jenkins.buildDurationMs, undefined, { signal: abort.signal }).catch(
      () => undefined,
    );
    const result = abort.signal.aborted ? 'ABORTED' : this.jenkins.drawResult();
    this.jenkins.finishBuild(build, result);
    this.jenkins.publishBuildEvent('onCompleted', build);

    // The node must be offline before Zuul learns the result, or the next queued job could
    // be grabbed by this worker in between.
    if (offlineWhenComplete(parameters) && !computer.deleted) {
      computer.takeOffline(GEARMAN_OFFLINE_MESSAGE);
    }
    await job.complete(JSON.stringify({ ...status, result })).catch((error: unknown) => {
      this.log.warn({ err: error, job: jobName, number: build.number }, 'result not delivered');
    });

    computer.build = null;
    this.abort = undefined;
    this.sync();
    build.finalizedAt = new Date().toISOString();
    this.jenkins.publishBuildEvent('onFinalized', build);
  }
}

/** The plugin's own reading of the flag; kept apart from whiskpool's so each checks the other. */
function offlineWhenComplete(parameters: Record<string, string>) {
  return ['1', 'true', 'True', 'TRUE'].includes(parameters.OFFLINE_NODE_WHEN_COMPLETE ?? '');
}

function parseParameters(payload: Buffer): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;

  const entries = Object.entries(parsed);
  if (!entries.every(([, value]) => typeof value === 'string')) return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}
