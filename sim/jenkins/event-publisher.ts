import { Publisher } from 'zeromq';

import type { Logger } from '../../lib/log.ts';
import { chance, type ZmqFaults } from './faults.ts';

export type Topic = 'onStarted' | 'onCompleted' | 'onFinalized';

/** The plugin's event queue size; an event arriving when it is full is dropped. */
const QUEUE_LIMIT = 1024;

/** How long a frame held back to be reordered waits for a frame to overtake it. */
const REORDER_HOLD_MS = 200;

/**
 * The ZMQ event publisher plugin's side: a PUB socket sending one frame per build event,
 * `<topic> <json>`, from a bounded queue drained by one sender, as the plugin does.
 */
export class EventPublisher {
  private readonly queue: string[] = [];
  private sending = false;
  private draining: Promise<void> | undefined;
  private held: { frame: string; timer: NodeJS.Timeout } | undefined;
  private closed = false;

  private constructor(
    private readonly socket: Publisher,
    readonly url: string,
    private readonly faults: () => ZmqFaults,
    private readonly log: Logger,
  ) {}

  /** Binds on 127.0.0.1; port 0 or absent picks a free port. */
  static async bind(port: number | undefined, faults: () => ZmqFaults, log: Logger) {
    const socket = new Publisher({ linger: 0 });
    await socket.bind(`tcp://127.0.0.1:${port ? String(port) : '*'}`);

    const url = socket.lastEndpoint ?? `tcp://127.0.0.1:${port}`;
    return new EventPublisher(socket, url, faults, log);
  }

  publish(topic: Topic, document: unknown) {
    if (this.closed) return;
    const frame = `${topic} ${JSON.stringify(document)}`;
    const faults = this.faults();

    if (faults.dropNext > 0) {
      faults.dropNext -= 1;
      this.log.info({ topic }, 'zmq fault: frame dropped');
      return;
    }
    if (chance(faults.dropRate)) {
      this.log.info({ topic }, 'zmq fault: frame dropped');
      return;
    }

    if (!this.held && chance(faults.reorderRate)) {
      this.log.info({ topic }, 'zmq fault: frame held back to be overtaken');
      this.held = { frame, timer: setTimeout(() => this.releaseHeld(), REORDER_HOLD_MS) };
      return;
    }

    this.enqueue(frame);
    if (chance(faults.duplicateRate)) {
      this.log.info({ topic }, 'zmq fault: frame sent twice');
      this.enqueue(frame);
    }
    this.releaseHeld();
  }

  /** Sends what is queued, then closes the socket. */
  async close() {
    this.releaseHeld();
    this.closed = true;
    await this.draining;
    this.socket.close();
  }

  private releaseHeld() {
    if (!this.held) return;
    clearTimeout(this.held.timer);
    const { frame } = this.held;
    this.held = undefined;
    this.enqueue(frame);
  }

  private enqueue(frame: string) {
    if (this.queue.length >= QUEUE_LIMIT) {
      this.log.info('zmq event queue full; event dropped');
      return;
    }
    this.queue.push(frame);
    if (this.sending) return;

    this.sending = true;
    this.draining = this.drain();
  }

  /** zeromq allows one send at a time on a socket, so one loop sends everything in order. */
  private async drain() {
    try {
      for (let frame = this.queue.shift(); frame !== undefined; frame = this.queue.shift()) {
        try {
          await this.socket.send(frame);
        } catch (error) {
          this.log.warn({ err: error }, 'zmq event not sent');
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
