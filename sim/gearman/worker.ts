import type { Logger } from '../../lib/log.ts';
import { PacketConnection } from './connection.ts';
import { WorkerJob, type GearmanJob } from './job.ts';
import { PacketType, packetName, type Packet } from './packet.ts';

export interface GearmanWorkerOptions {
  host: string;
  port: number;
  /** Sent with SET_CLIENT_ID; gearmand shows it in the admin `workers` listing. */
  clientId: string;
  log?: Logger;
}

export type JobHandler = (job: GearmanJob) => Promise<void>;

/**
 * Where the worker is in the grab cycle: `grabbing` has a GRAB_JOB_UNIQ in flight, `sleeping`
 * has sent PRE_SLEEP and waits for gearmand's NOOP, `running` holds a job.
 */
type Phase = 'idle' | 'grabbing' | 'sleeping' | 'running';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/**
 * A Gearman worker that runs one job at a time, the way one Jenkins executor does.
 *
 * It starts out accepting. A GRAB_JOB_UNIQ already in flight when `setAccepting(false)` is
 * called may still bring a job; that job is handed to the handler like any other.
 */
export class GearmanWorker {
  private functions: string[] = [];
  private handler: JobHandler | undefined;
  private accepting = true;

  private connection: PacketConnection | undefined;
  /** What the current connection has told gearmand it can do; undefined before any. */
  private announced: string[] | undefined;
  private phase: Phase = 'idle';
  /** Something changed while a grab was in flight: grab again rather than sleep on NO_JOB. */
  private regrab = false;
  /** The job whose result has not been sent yet. */
  private held: WorkerJob | undefined;

  private started: Promise<void> | undefined;
  private markStarted: (() => void) | undefined;
  private closing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;

  constructor(private readonly options: GearmanWorkerOptions) {}

  /** Resolves once connected and registered; until then it keeps retrying with backoff. */
  start(): Promise<void> {
    if (this.started) return this.started;

    this.started = new Promise((resolve) => {
      this.markStarted = resolve;
    });
    void this.connect();
    return this.started;
  }

  setFunctions(names: string[]) {
    const wanted = [...new Set(names)].sort();
    if (sameList(wanted, this.functions)) return;

    this.functions = wanted;
    this.announce();
  }

  setHandler(handler: JobHandler) {
    this.handler = handler;
  }

  setAccepting(accepting: boolean) {
    this.accepting = accepting;
    if (accepting) this.grab();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    this.markStarted?.();

    const connection = this.connection;
    this.connection = undefined;
    await connection?.close();
  }

  private get log() {
    return this.options.log;
  }

  private async connect() {
    if (this.closing) return;
    const { host, port, clientId } = this.options;

    let connection: PacketConnection;
    try {
      connection = await PacketConnection.open(host, port, {
        packet: (packet) => this.receive(connection, packet),
        closed: (error) => this.lost(connection, error),
      });
    } catch (error) {
      this.retryLater(error);
      return;
    }

    if (this.closing) {
      await connection.close();
      return;
    }

    this.connection = connection;
    this.announced = undefined;
    this.regrab = false;
    if (this.phase !== 'running') this.phase = 'idle';
    this.failedAttempts = 0;
    this.log?.info({ host, port, clientId }, 'gearman worker connected');

    this.post(connection, PacketType.SetClientId, [clientId]);
    this.announce();
    this.markStarted?.();
  }

  private retryLater(error: unknown) {
    if (this.closing) return;

    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failedAttempts);
    this.failedAttempts += 1;
    const { host, port, clientId } = this.options;
    const fields = { host, port, clientId, delayMs: delay, err: error };
    if (this.failedAttempts === 1) this.log?.warn(fields, 'gearman unreachable, will retry');
    else this.log?.debug(fields, 'gearman still unreachable');

    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private lost(connection: PacketConnection, error: Error | undefined) {
    if (connection !== this.connection) return;

    this.connection = undefined;
    this.announced = undefined;
    if (this.phase !== 'running') this.phase = 'idle';
    if (this.closing) return;

    const { host, port, clientId } = this.options;
    this.log?.warn({ host, port, clientId, err: error }, 'gearman connection lost');
    this.retryLater(error);
  }

  /**
   * Sends RESET_ABILITIES and a CAN_DO per function when the set differs from what this
   * connection announced. gearmand puts a held job back in its queue as soon as the worker
   * drops that job's function, and then refuses its WORK_COMPLETE, so while a job is held
   * the change waits until its result has been written.
   */
  private announce() {
    const connection = this.connection;
    if (!connection) return;
    if (this.held?.connection === connection) return;
    if (this.announced && sameList(this.announced, this.functions)) return;

    this.post(connection, PacketType.ResetAbilities);
    for (const name of this.functions) this.post(connection, PacketType.CanDo, [name]);
    this.announced = [...this.functions];
    this.log?.debug({ clientId: this.options.clientId, functions: this.announced }, 'abilities');

    // A sleeping worker is woken only for jobs queued after it slept, so jobs already waiting
    // for a newly added function are found only by grabbing now.
    if (this.phase === 'grabbing') this.regrab = true;
    else this.grab();
  }

  private grab() {
    const connection = this.connection;
    if (!connection || this.closing || !this.accepting) return;
    if (!this.announced || this.announced.length === 0) return;
    if (this.phase === 'grabbing') {
      this.regrab = true;
      return;
    }
    if (this.phase === 'running') return;

    this.phase = 'grabbing';
    this.regrab = false;
    this.post(connection, PacketType.GrabJobUniq);
  }

  private receive(connection: PacketConnection, packet: Packet) {
    if (connection !== this.connection) return;

    switch (packet.type) {
      case PacketType.NoJob:
        return this.noJob(connection);
      case PacketType.Noop:
        if (this.phase === 'sleeping') this.phase = 'idle';
        return this.grab();
      case PacketType.JobAssignUniq:
        return this.assigned(connection, packet.args);
      case PacketType.Error:
        this.log?.warn(
          { clientId: this.options.clientId, error: packet.args.map((arg) => arg.toString()) },
          'gearman reported an error',
        );
        return;
      default:
        this.log?.debug({ packet: packetName(packet.type) }, 'gearman worker ignored a packet');
    }
  }

  private noJob(connection: PacketConnection) {
    if (this.phase !== 'grabbing') return;

    if (this.regrab) {
      this.phase = 'idle';
      this.grab();
      return;
    }

    this.phase = 'sleeping';
    this.post(connection, PacketType.PreSleep);
  }

  private assigned(connection: PacketConnection, args: Buffer[]) {
    const [handle, functionName, unique, payload] = args;
    if (!handle || !functionName || !unique || !payload) return;

    const job = new WorkerJob(
      {
        handle: handle.toString('utf8'),
        functionName: functionName.toString('utf8'),
        unique: unique.toString('utf8'),
        payload,
      },
      connection,
      (finished) => this.finished(finished),
    );

    if (this.phase !== 'grabbing') {
      this.log?.error({ handle: job.handle }, 'gearman assigned a job that was not asked for');
      void job.fail().catch(() => undefined);
      return;
    }

    this.phase = 'running';
    this.regrab = false;
    this.held = job;
    void this.run(job);
  }

  private async run(job: WorkerJob) {
    const fields = { clientId: this.options.clientId, handle: job.handle, fn: job.functionName };
    this.log?.debug(fields, 'gearman job assigned');

    try {
      if (!this.handler) throw new Error('no handler set');
      await this.handler(job);
    } catch (error) {
      this.log?.warn({ ...fields, err: error }, 'gearman job handler failed');
    }

    if (!job.finished) await job.fail().catch(() => undefined);

    this.phase = 'idle';
    this.grab();
  }

  private finished(job: WorkerJob) {
    if (this.held !== job) return;
    this.held = undefined;
    this.announce();
  }

  /** Fire-and-forget: a failed write means the socket is gone, which `lost` handles. */
  private post(connection: PacketConnection, type: PacketType, args: string[] = []) {
    connection.send(type, args).catch(() => undefined);
  }
}

function sameList(a: string[], b: string[]) {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
