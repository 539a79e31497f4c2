import { fetchStatus } from '../../lib/gearman/admin-client.ts';
import type { Logger } from '../../lib/log.ts';

interface Waiter {
  functionName: string;
  onWaiting?: () => void;
  resolve(): void;
  reject(error: Error): void;
}

const POLL_MS = 1000;
const STATUS_TIMEOUT_MS = 5000;

/**
 * Tells when Gearman functions are registered, as Zuul does before submitting a build: a
 * function counts once gearmand lists it in `status`. One poll a second serves all waiters.
 */
export class RegistrationWatch {
  private registered = new Set<string>();
  private checkedAt = 0;
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;
  private unreachable = false;

  constructor(
    private readonly gearman: { host: string; port: number },
    private readonly log: Logger,
  ) {}

  /**
   * Resolves once the function is registered; rejects if the watch is closed first.
   * `onWaiting` is called once, when a status reply shows the function is not registered.
   */
  waitFor(functionName: string, onWaiting?: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new Error('registration watch closed'));
    if (Date.now() - this.checkedAt < POLL_MS && this.registered.has(functionName)) {
      return Promise.resolve();
    }

    return new Promise((resolve, reject) => {
      this.waiters.push({ functionName, onWaiting, resolve, reject });
      if (!this.polling && !this.timer) void this.poll();
    });
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(new Error('registration watch closed'));
  }

  private async poll() {
    this.timer = undefined;
    this.polling = true;
    try {
      const status = await fetchStatus(this.gearman.host, this.gearman.port, STATUS_TIMEOUT_MS);
      this.registered = new Set(status.functions.map((fn) => fn.name));
      this.checkedAt = Date.now();
      if (this.unreachable) this.log.info(this.gearman, 'gearman status readable again');
      this.unreachable = false;
    } catch (error) {
      if (!this.unreachable) this.log.warn({ err: error }, 'cannot read gearman status');
      this.unreachable = true;
    } finally {
      this.polling = false;
    }
    if (this.closed) return;

    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (this.registered.has(waiter.functionName)) {
        waiter.resolve();
        continue;
      }
      if (!this.unreachable) {
        waiter.onWaiting?.();
        waiter.onWaiting = undefined;
      }
      still.push(waiter);
    }
    this.waiters = still;
    if (still.length > 0) this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }
}
