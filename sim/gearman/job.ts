import { ErrorCode, WhiskpoolError } from '../../lib/errors.ts';
import type { PacketConnection } from './connection.ts';
import { PacketType } from './packet.ts';

/** A job a worker grabbed, as its handler sees it. */
export interface GearmanJob {
  handle: string;
  functionName: string;
  unique: string;
  payload: Buffer;
  /** Sends WORK_DATA to the submitter. */
  sendData(data: string | Buffer): void;
  /** Sends WORK_STATUS to the submitter. */
  sendStatus(numerator: number, denominator: number): void;
  /** Sends WORK_COMPLETE; resolves once written. */
  complete(data?: string | Buffer): Promise<void>;
  /** Sends WORK_FAIL; resolves once written. */
  fail(): Promise<void>;
}

export interface AssignedJob {
  handle: string;
  functionName: string;
  unique: string;
  payload: Buffer;
}

/**
 * Work packets always go back on the connection the job came from: gearmand knows the handle
 * only there, and after a reconnect it has already put the job back in its queue.
 */
export class WorkerJob implements GearmanJob {
  readonly handle: string;
  readonly functionName: string;
  readonly unique: string;
  readonly payload: Buffer;
  private finishedFlag = false;

  constructor(
    assigned: AssignedJob,
    readonly connection: PacketConnection,
    private readonly onFinished: (job: WorkerJob) => void,
  ) {
    this.handle = assigned.handle;
    this.functionName = assigned.functionName;
    this.unique = assigned.unique;
    this.payload = assigned.payload;
  }

  get finished() {
    return this.finishedFlag;
  }

  sendData(data: string | Buffer) {
    if (this.finishedFlag) return;
    this.connection.send(PacketType.WorkData, [this.handle, data]).catch(() => undefined);
  }

  sendStatus(numerator: number, denominator: number) {
    if (this.finishedFlag) return;
    const args = [this.handle, String(Math.trunc(numerator)), String(Math.trunc(denominator))];
    this.connection.send(PacketType.WorkStatus, args).catch(() => undefined);
  }

  complete(data: string | Buffer = ''): Promise<void> {
    return this.finish(PacketType.WorkComplete, [this.handle, data]);
  }

  fail(): Promise<void> {
    return this.finish(PacketType.WorkFail, [this.handle]);
  }

  private finish(type: PacketType, args: (string | Buffer)[]): Promise<void> {
    if (this.finishedFlag) {
      return Promise.reject(new Error(`gearman job ${this.handle} already finished`));
    }
    this.finishedFlag = true;

    const written = this.connection.send(type, args);

    // The result is queued on the socket before anything the worker sends next, so the
    // worker may now change its abilities without gearmand requeueing this job.
    this.onFinished(this);

    return written.catch((error: unknown) => {
      throw new WhiskpoolError(
        ErrorCode.GearmanUnavailable,
        `gearman job ${this.handle} (${this.functionName}): result not delivered, ` +
          'the connection it came on is gone',
        { cause: error },
      );
    });
  }
}
