/**
 * A Zuul-v2-like submitter: at a steady rate it picks a real (job, label) from the catalog,
 * makes Zuul's parameters for a change of a project that runs the job, and submits
 * `build:JOB` to Gearman with the build's UUID as the unique id.
 *
 * Zuul refuses a build whose function no worker has registered (NOT_REGISTERED); this one
 * waits instead, checking each second, so that a pool still booting its first node of a
 * label gets the build once the node registers.
 */
import type { Logger } from '../../lib/log.ts';
import type { CatalogEntry } from '../catalog/index.ts';
import { GearmanClient, type JobResult } from '../gearman/index.ts';
import { buildParameters, type Change } from './parameters.ts';
import { RegistrationWatch } from './registration.ts';

/** A catalog entry; without `runs` builds go to a made-up change of integration/config. */
export type SubmitterJob = Pick<CatalogEntry, 'job' | 'label'> &
  Partial<Pick<CatalogEntry, 'voting' | 'runs'>>;

export interface SubmitterOptions {
  gearman: { host: string; port: number };
  catalog: readonly SubmitterJob[];
  /** Builds started per second. */
  rate: number;
  /** How many builds to submit; Infinity runs until `stop()`. */
  builds: number;
  log: Logger;
  /** Called as each build ends, in the order they end. */
  onBuild?(build: BuildRecord): void;
  /** Default: Wikimedia's Zuul host of 2015 (the Gearman server in its nodepool.yaml). */
  zuulUrl?: string;
  /** For reproducible picks; default Math.random. */
  random?: () => number;
  /**
   * Times a build lost with its Gearman connection is submitted again, as Zuul relaunched
   * LOST builds; default 0.
   */
  relaunchLost?: number;
}

/**
 * `lost`: the Gearman connection went away, as Zuul's LOST; `cancelled`: stopped before a
 * result came.
 */
export type BuildOutcome = 'complete' | 'fail' | 'exception' | 'lost' | 'cancelled';

export interface BuildRecord {
  uuid: string;
  job: string;
  label: string;
  project: string;
  pipeline: string;
  functionName: string;
  handle?: string;
  outcome: BuildOutcome;
  /** The Jenkins result in the WORK_COMPLETE data, e.g. SUCCESS or FAILURE. */
  result?: string;
  nodeName?: string;
  number?: number;
  /** The WORK_COMPLETE data as JSON, when it was JSON. */
  data?: Record<string, unknown>;
  error?: string;
  queuedAt: string;
  submittedAt?: string;
  startedAt?: string;
  finishedAt: string;
  /** Time spent waiting for the function to be registered. */
  registrationWaitMs: number;
  /** Times the build was submitted again after its Gearman connection went away. */
  relaunches?: number;
}

export interface SubmitterReport {
  submitted: number;
  completed: number;
  builds: BuildRecord[];
}

export interface Submitter {
  done: Promise<SubmitterReport>;
  /** Stops starting builds and cancels those not finished; resolves with the report. */
  stop(): Promise<SubmitterReport>;
}

const DEFAULT_ZUUL_URL = 'http://zuul.eqiad.wmnet/p';
/** Wikimedia's Gerrit change numbers were around here at the end of 2015. */
const FIRST_CHANGE = 260_000;

export function runSubmitter(options: SubmitterOptions): Submitter {
  if (options.catalog.length === 0) throw new Error('submitter: the catalog has no jobs');
  if (!(options.rate > 0)) throw new Error(`submitter: rate must be positive, got ${options.rate}`);
  if (!(options.builds >= 0)) {
    throw new Error(`submitter: builds must be 0 or more, got ${options.builds}`);
  }

  return new Run(options).start();
}

interface Pending {
  cancel(): void;
  finished: Promise<void>;
}

class Run {
  private readonly client: GearmanClient;
  private readonly watch: RegistrationWatch;
  private readonly random: () => number;
  private readonly records: BuildRecord[] = [];
  private readonly pending = new Set<Pending>();
  private submitted = 0;
  private started = 0;
  private nextChange = FIRST_CHANGE;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private allStarted!: () => void;
  private report: Promise<SubmitterReport> | undefined;

  constructor(private readonly options: SubmitterOptions) {
    this.client = new GearmanClient({ ...options.gearman, log: options.log });
    this.watch = new RegistrationWatch(options.gearman, options.log);
    this.random = options.random ?? Math.random;
  }

  start(): Submitter {
    const startedAll = new Promise<void>((resolve) => {
      this.allStarted = resolve;
    });
    const done = startedAll.then(() => this.finish());
    this.report = done;

    this.options.log.info(
      {
        rate: this.options.rate,
        builds: Number.isFinite(this.options.builds) ? this.options.builds : 'unlimited',
        jobs: this.options.catalog.length,
      },
      'submitter starting',
    );
    this.schedule(Date.now());

    return {
      done,
      stop: () => this.stop(),
    };
  }

  private schedule(firstAt: number) {
    if (this.stopping) return;
    if (this.started >= this.options.builds) {
      this.allStarted();
      return;
    }

    const dueAt = firstAt + (this.started * 1000) / this.options.rate;
    this.timer = setTimeout(() => {
      this.started += 1;
      this.launch();
      this.schedule(firstAt);
    }, Math.max(0, dueAt - Date.now()));
  }

  private async stop(): Promise<SubmitterReport> {
    if (!this.stopping) {
      this.stopping = true;
      clearTimeout(this.timer);
      this.options.log.info({ unfinished: this.pending.size }, 'submitter stopping');
      for (const build of this.pending) build.cancel();
      this.allStarted();
    }
    return this.report!;
  }

  private async finish(): Promise<SubmitterReport> {
    while (this.pending.size > 0) {
      await Promise.all([...this.pending].map((build) => build.finished));
    }
    this.watch.close();
    await this.client.close();

    const completed = this.records.filter((record) => record.outcome === 'complete').length;
    this.options.log.info({ submitted: this.submitted, completed }, 'submitter done');
    return { submitted: this.submitted, completed, builds: this.records };
  }

  private launch() {
    const entry = pick(this.options.catalog, this.random);
    const run = entry.runs?.length ? pick(entry.runs, this.random) : undefined;
    const change: Change = {
      project: run?.project ?? 'integration/config',
      pipeline: run?.pipeline ?? 'test',
      branch: 'master',
      change: this.nextChange++,
      patchset: 1 + Math.floor(this.random() * 4),
    };
    const parameters = buildParameters(entry.job, change, {
      zuulUrl: this.options.zuulUrl ?? DEFAULT_ZUUL_URL,
      voting: entry.voting ?? true,
    });

    const record: BuildRecord = {
      uuid: parameters.ZUUL_UUID ?? '',
      job: entry.job,
      label: entry.label,
      project: change.project,
      pipeline: change.pipeline,
      functionName: `build:${entry.job}`,
      outcome: 'cancelled',
      queuedAt: new Date().toISOString(),
      finishedAt: '',
      registrationWaitMs: 0,
    };

    let cancel!: () => void;
    const cancelled = new Promise<'cancelled'>((resolve) => {
      cancel = () => resolve('cancelled');
    });
    const build: Pending = {
      cancel: () => cancel(),
      finished: this.follow(record, JSON.stringify(parameters), run?.precedence, cancelled)
        .finally(() => this.pending.delete(build)),
    };
    this.pending.add(build);
  }

  private async follow(
    record: BuildRecord,
    payload: string,
    precedence: 'low' | 'normal' | 'high' | undefined,
    cancelled: Promise<'cancelled'>,
  ) {
    const log = this.options.log.child({ uuid: record.uuid, job: record.job });

    for (let attempt = 0; ; attempt++) {
      const waitStart = Date.now();
      const registered = this.whenRegistered(record.functionName, log).then(
        () => 'registered' as const,
        () => 'cancelled' as const,
      );
      if ((await Promise.race([registered, cancelled])) === 'cancelled') {
        return this.end(record, { outcome: 'cancelled' });
      }
      record.registrationWaitMs += Date.now() - waitStart;

      if (attempt === 0) this.submitted += 1;
      record.submittedAt = new Date().toISOString();
      const result = this.client
        .submit(record.functionName, payload, {
          unique: record.uuid,
          priority: precedence ?? 'normal',
          onCreated: (handle) => {
            record.handle = handle;
          },
          onData: () => {
            record.startedAt ??= new Date().toISOString();
          },
        })
        .then(
          (done) => done,
          (error: unknown) => error as Error,
        );

      const settled = await Promise.race([result, cancelled]);
      if (settled === 'cancelled') return this.end(record, { outcome: 'cancelled' });
      if (!(settled instanceof Error)) return this.end(record, completion(settled));

      if (attempt >= (this.options.relaunchLost ?? 0) || this.stopping) {
        log.warn({ err: settled }, 'build lost');
        return this.end(record, { outcome: 'lost', error: settled.message });
      }
      log.warn({ err: settled, attempt: attempt + 1 }, 'build lost; submitting it again');
      record.relaunches = attempt + 1;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  private async whenRegistered(functionName: string, log: Logger) {
    let waited = false;
    await this.watch.waitFor(functionName, () => {
      waited = true;
      // Zuul would end the build NOT_REGISTERED here.
      log.info({ function: functionName }, 'function not registered yet, waiting');
    });
    if (waited) log.info({ function: functionName }, 'function registered, submitting');
  }

  private end(record: BuildRecord, fields: Partial<BuildRecord>) {
    Object.assign(record, fields, { finishedAt: new Date().toISOString() });
    this.records.push(record);
    this.options.onBuild?.(record);
  }
}

function completion(result: JobResult): Partial<BuildRecord> {
  const fields: Partial<BuildRecord> = { outcome: result.outcome, handle: result.handle };
  const data = parseJson(result.data.toString('utf8'));
  if (!data) return fields;

  fields.data = data;
  if (typeof data.result === 'string') fields.result = data.result;
  if (typeof data.node_name === 'string') fields.nodeName = data.node_name;
  if (typeof data.number === 'number') fields.number = data.number;
  return fields;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))]!;
}
