import { randomBytes } from 'node:crypto';

import type { Logger } from '../../lib/log.ts';
import type { CatalogEntry } from './catalog.ts';
import { Computer, type AgentConfig, type BuildRecord } from './computer.ts';
import type { EventPublisher, Topic } from './event-publisher.ts';
import { Executor } from './executor.ts';
import { applyFaults, noFaults, type JenkinsFaults } from './faults.ts';
import { launch, type LaunchPolicy } from './launcher.ts';

export interface SimJenkinsOptions {
  catalog: CatalogEntry[];
  buildDurationMs: number;
  /** Share of builds (0..1) that end FAILURE instead of SUCCESS. */
  failureRate: number;
  /** The master's host name: the Gearman manager name and the events' `host_name`. */
  masterName: string;
  /** Where the Gearman plugin's workers connect; without it agents take no builds. */
  gearman?: { host: string; port: number };
  launch: LaunchPolicy;
  log: Logger;
}

/**
 * The stand-in Jenkins itself: its agents, their builds and what it tells the world.
 * The REST server and the Gearman workers are its two doors.
 */
export class SimJenkins {
  readonly catalog: CatalogEntry[];
  readonly masterName: string;
  readonly buildDurationMs: number;
  failureRate: number;
  quietingDown = false;
  faults: JenkinsFaults = noFaults();
  crumb = newCrumb();
  /** Set once the REST server listens. */
  rootUrl = 'http://127.0.0.1/';

  private readonly computers = new Map<string, Computer>();
  private readonly executors = new Map<Computer, Executor>();
  private readonly records: BuildRecord[] = [];
  private readonly lastNumbers = new Map<string, number>();
  private readonly options: SimJenkinsOptions;
  private readonly log: Logger;
  private events: EventPublisher | undefined;

  constructor(options: SimJenkinsOptions) {
    this.options = options;
    this.catalog = options.catalog;
    this.masterName = options.masterName;
    this.buildDurationMs = options.buildDurationMs;
    this.failureRate = options.failureRate;
    this.log = options.log;
  }

  /** True when agents go online without a connection, as their machines have no address. */
  get launchesWithoutConnecting(): boolean {
    return this.options.launch.connect === false;
  }

  attachEvents(events: EventPublisher) {
    this.events = events;
  }

  computer(name: string): Computer | undefined {
    return this.computers.get(name);
  }

  listComputers(): Computer[] {
    return [...this.computers.values()];
  }

  /** Every build so far, oldest first; copies, so callers cannot change the record. */
  builds(): BuildRecord[] {
    return this.records.map((build) => ({ ...build, parameters: { ...build.parameters } }));
  }

  /** Job names Jenkins knows: the catalog's and any that ran. */
  hasJob(job: string): boolean {
    return this.catalog.some((entry) => entry.job === job) || this.lastNumbers.has(job);
  }

  /** The live record of `job #number`, for the stand-in's own parts. */
  findBuild(job: string, number: number): BuildRecord | undefined {
    return this.records.find((build) => build.job === job && build.number === number);
  }

  jobBuilds(job: string): BuildRecord[] {
    return this.records.filter((build) => build.job === job);
  }

  nextBuildNumber(job: string): number {
    return (this.lastNumbers.get(job) ?? 0) + 1;
  }

  /** Adds an agent and starts launching it; false when the name is taken. */
  createAgent(config: AgentConfig): boolean {
    if (this.computers.has(config.name)) return false;

    const computer = new Computer(config);
    this.computers.set(config.name, computer);
    this.log.info({ node: config.name, launcher: computer.launcher }, 'agent created');
    void this.launchAgent(computer);
    return true;
  }

  /** Removes an agent; its build, if one runs, is aborted. False when there is none. */
  deleteAgent(name: string): boolean {
    const computer = this.computers.get(name);
    if (!computer) return false;

    this.computers.delete(name);
    computer.deleted = true;
    computer.launchAbort.abort();
    this.executors.get(computer)?.sync();
    this.executors.delete(computer);
    this.log.info({ node: name }, 'agent deleted');
    return true;
  }

  /** Flips the agent's temporarily-offline flag, as `toggleOffline` does. */
  toggleOffline(name: string, message: string): boolean {
    const computer = this.computers.get(name);
    if (!computer) return false;

    if (computer.temporarilyOffline) computer.bringOnline();
    else computer.takeOffline(message);
    this.log.info({ node: name, offline: computer.temporarilyOffline }, 'agent offline toggled');
    this.executors.get(computer)?.sync();
    return true;
  }

  setQuietingDown(quieting: boolean) {
    this.quietingDown = quieting;
    for (const executor of this.executors.values()) executor.sync();
  }

  /** Aborts the running build `job #number`; false when it is not running. */
  abortBuild(job: string, number: number): boolean {
    for (const [computer, executor] of this.executors) {
      if (computer.build?.job === job && computer.build.number === number) {
        executor.abortBuild();
        return true;
      }
    }
    return false;
  }

  setFaults(patch: unknown): JenkinsFaults {
    this.faults = applyFaults(this.faults, patch);
    this.log.info({ faults: this.faults }, 'faults changed');
    return this.faults;
  }

  /** Makes every crumb handed out so far invalid, as a Jenkins restart or session end does. */
  rotateCrumb() {
    this.crumb = newCrumb();
  }

  startBuild(
    job: string,
    computer: Computer,
    parameters: Record<string, string>,
    unique: string,
  ): BuildRecord {
    const number = this.nextBuildNumber(job);
    this.lastNumbers.set(job, number);

    const build: BuildRecord = {
      job,
      number,
      nodeName: computer.name,
      launcher: computer.launcher,
      machine: computer.banner,
      unique,
      result: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
      parameters,
    };
    this.records.push(build);
    computer.build = build;
    this.log.info({ job, number, node: computer.name }, 'build started');
    return build;
  }

  finishBuild(build: BuildRecord, result: string) {
    build.result = result;
    build.endedAt = new Date().toISOString();
    this.log.info({ job: build.job, number: build.number, result }, 'build completed');
  }

  drawResult(): string {
    return Math.random() < this.failureRate ? 'FAILURE' : 'SUCCESS';
  }

  buildUrl(build: BuildRecord): string {
    return `${this.rootUrl}${buildPath(build)}`;
  }

  /** Sends the event as the ZMQ event publisher plugin serialises it (Gson, nulls left out). */
  publishBuildEvent(topic: Topic, build: BuildRecord) {
    const phase = { onStarted: 'STARTED', onCompleted: 'COMPLETED', onFinalized: 'FINISHED' };
    const hasParameters = Object.keys(build.parameters).length > 0;

    this.events?.publish(topic, {
      name: build.job,
      url: `job/${encodeURIComponent(build.job)}/`,
      build: {
        full_url: this.buildUrl(build),
        number: build.number,
        phase: phase[topic],
        ...(topic === 'onStarted' || build.result === null ? {} : { status: build.result }),
        url: buildPath(build),
        node_name: build.nodeName,
        host_name: this.masterName,
        ...(hasParameters ? { parameters: build.parameters } : {}),
      },
    });
  }

  async close() {
    for (const computer of this.computers.values()) {
      computer.launchAbort.abort();
      computer.deleted = true;
    }
    await Promise.all([...this.executors.values()].map((executor) => executor.close()));
    this.executors.clear();
  }

  private async launchAgent(computer: Computer) {
    const { host, port } = computer.config;
    const outcome = await launch(host, port, this.options.launch, computer.launchAbort.signal);
    if (computer.deleted) return;

    if ('failure' in outcome) {
      computer.connection = 'launch-failed';
      this.log.warn({ node: computer.name, reason: outcome.failure }, 'agent launch failed');
      return;
    }

    computer.connection = 'online';
    computer.banner = outcome.banner;
    this.log.info({ node: computer.name, banner: outcome.banner }, 'agent online');
    if (!this.options.gearman) return;

    const executor = new Executor(this, computer, this.options.gearman, this.log);
    this.executors.set(computer, executor);
    executor.sync();
  }
}

function buildPath(build: BuildRecord) {
  return `job/${encodeURIComponent(build.job)}/${build.number}/`;
}

function newCrumb() {
  return randomBytes(32).toString('hex');
}
