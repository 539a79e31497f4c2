import { ErrorCode, WhiskpoolError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { PacketConnection } from './connection.ts';
import { PacketType, packetName, type Packet } from './packet.ts';

export interface GearmanClientOptions {
  host: string;
  port: number;
  log?: Logger;
}

export type JobPriority = 'low' | 'normal' | 'high';

export interface SubmitOptions {
  /** Jobs with the same function and unique id that are queued together run once. */
  unique?: string;
  priority?: JobPriority;
  onCreated?(handle: string): void;
  onData?(data: Buffer): void;
}

export type JobOutcome = 'complete' | 'fail' | 'exception';

export interface JobResult {
  handle: string;
  outcome: JobOutcome;
  /** WORK_COMPLETE's or WORK_EXCEPTION's data; empty after WORK_FAIL. */
  data: Buffer;
}

interface Submission {
  functionName: string;
  options: SubmitOptions;
  handle?: string;
  resolve(result: JobResult): void;
  reject(error: Error): void;
}

const SUBMIT_TYPE: Record<JobPriority, PacketType> = {
  low: PacketType.SubmitJobLow,
  normal: PacketType.SubmitJob,
  high: PacketType.SubmitJobHigh,
};

/**
 * A Gearman client submitting foreground jobs over one connection, opened on first use and
 * again after it is lost. Jobs in flight when the connection goes are rejected.
 */
export class GearmanClient {
  private connection: PacketConnection | undefined;
  private connecting: Promise<PacketConnection> | undefined;
  private optionAnswered: (() => void) | undefined;
  /** gearmand answers submissions in the order they were sent, one JOB_CREATED each. */
  private awaitingHandle: Submission[] = [];
  private byHandle = new Map<string, Submission[]>();
  private closed = false;

  constructor(private readonly options: GearmanClientOptions) {}

  async submit(
    functionName: string,
    payload: string | Buffer,
    options: SubmitOptions = {},
  ): Promise<JobResult> {
    const connection = await this.connect();
    const type = SUBMIT_TYPE[options.priority ?? 'normal'];

    return new Promise<JobResult>((resolve, reject) => {
      const submission: Submission = { functionName, options, resolve, reject };
      this.awaitingHandle.push(submission);
      connection
        .send(type, [functionName, options.unique ?? '', payload])
        .catch((error: unknown) => this.abandon(submission, error));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection ?? (await this.connecting?.catch(() => undefined));
    this.connection = undefined;
    await connection?.close();
  }

  private get where() {
    return `${this.options.host}:${this.options.port}`;
  }

  private connect(): Promise<PacketConnection> {
    if (this.closed) {
      return Promise.reject(new Error(`gearman client for ${this.where} is closed`));
    }
    if (this.connection?.isOpen) return Promise.resolve(this.connection);

    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<PacketConnection> {
    let connection: PacketConnection | undefined;
    try {
      connection = await PacketConnection.open(this.options.host, this.options.port, {
        packet: (packet) => this.receive(packet),
        closed: (error) => this.lost(connection, error),
      });
    } catch (error) {
      throw new WhiskpoolError(
        ErrorCode.GearmanUnavailable,
        `gearman at ${this.where}: cannot connect (${(error as Error).message})`,
        { retryable: true, cause: error },
      );
    }

    // Without this option gearmand turns a worker's WORK_EXCEPTION into a plain WORK_FAIL.
    const answered = new Promise<void>((resolve) => {
      this.optionAnswered = resolve;
    });
    await connection.send(PacketType.OptionReq, ['exceptions']).catch(() => undefined);
    await answered;

    if (!connection.isOpen) {
      throw new WhiskpoolError(
        ErrorCode.GearmanUnavailable,
        `gearman at ${this.where}: connection closed right after it opened`,
        { retryable: true },
      );
    }
    this.connection = connection;
    return connection;
  }

  private answerOption() {
    const answered = this.optionAnswered;
    this.optionAnswered = undefined;
    answered?.();
  }

  private abandon(submission: Submission, error: unknown) {
    const index = this.awaitingHandle.indexOf(submission);
    if (index < 0) return;

    this.awaitingHandle.splice(index, 1);
    submission.reject(
      new WhiskpoolError(
        ErrorCode.GearmanUnavailable,
        `gearman at ${this.where}: job ${submission.functionName} not sent, connection gone`,
        { retryable: true, cause: error },
      ),
    );
  }

  private receive(packet: Packet) {
    const [first, second] = packet.args;
    const handle = first?.toString('utf8') ?? '';

    switch (packet.type) {
      case PacketType.OptionRes:
        return this.answerOption();
      case PacketType.JobCreated:
        return this.created(handle);
      case PacketType.WorkData:
        for (const job of this.byHandle.get(handle) ?? []) job.options.onData?.(second ?? EMPTY);
        return;
      case PacketType.WorkComplete:
        return this.settle(handle, 'complete', second ?? EMPTY);
      case PacketType.WorkFail:
        return this.settle(handle, 'fail', EMPTY);
      case PacketType.WorkException:
        return this.settle(handle, 'exception', second ?? EMPTY);
      case PacketType.Error:
        return this.refused(handle, second?.toString('utf8') ?? '');
      default:
        this.options.log?.debug({ packet: packetName(packet.type) }, 'gearman client ignored');
    }
  }

  private created(handle: string) {
    const job = this.awaitingHandle.shift();
    if (!job) {
      this.options.log?.warn({ handle }, 'gearman sent JOB_CREATED for no submission');
      return;
    }

    job.handle = handle;
    const sharing = this.byHandle.get(handle);
    if (sharing) sharing.push(job);
    else this.byHandle.set(handle, [job]);
    job.options.onCreated?.(handle);
  }

  private settle(handle: string, outcome: JobOutcome, data: Buffer) {
    const jobs = this.byHandle.get(handle) ?? [];
    this.byHandle.delete(handle);
    for (const job of jobs) job.resolve({ handle, outcome, data });
  }

  private refused(code: string, text: string) {
    if (this.optionAnswered) {
      this.answerOption();
      this.options.log?.warn({ code, text }, 'gearman refused the exceptions option');
      return;
    }

    const job = this.awaitingHandle.shift();
    const error = new WhiskpoolError(
      ErrorCode.GearmanRequestRefused,
      `gearman at ${this.where} refused ${job ? `job ${job.functionName}` : 'a request'}: ` +
        `${code} ${text}`,
    );
    if (job) job.reject(error);
    else this.options.log?.warn({ code, text }, 'gearman reported an error');
  }

  private lost(connection: PacketConnection | undefined, error: Error | undefined) {
    if (this.connection === connection) this.connection = undefined;
    this.answerOption();

    const jobs = [...this.awaitingHandle, ...[...this.byHandle.values()].flat()];
    this.awaitingHandle = [];
    this.byHandle.clear();

    const reason = this.closed ? 'client closed' : `connection lost (${error?.message ?? 'EOF'})`;
    for (const job of jobs) {
      job.reject(
        new WhiskpoolError(
          ErrorCode.GearmanUnavailable,
          `gearman at ${this.where}: ${reason} while job ${job.functionName}` +
            `${job.handle ? ` (${job.handle})` : ''} was pending`,
          { retryable: !this.closed, cause: error },
        ),
      );
    }
  }
}

const EMPTY = Buffer.alloc(0);
