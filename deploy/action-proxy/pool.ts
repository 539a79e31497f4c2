import { ActivationStatus, statusOfResult, type RunOutcome } from './activation.ts';
import { ContainerTimeout, startContainer, type ActionContainer } from './container.ts';

/** An action as deployed: what a container is initialised with, and its limits. */
export interface DeployedAction {
  /** Fully qualified, e.g. `/guest/whiskpool/spawn`; containers never serve two names. */
  name: string;
  code: string;
  binary?: boolean;
  main?: string;
  /** Changes whenever the code or limits do; containers of an older digest are retired. */
  digest: string;
  /** Given to the container at `/init`, as OpenWhisk does with `init` parameters. */
  env?: Record<string, string>;
  limits: { timeoutMs: number; memoryMb: number; concurrency: number };
}

export interface RunContext {
  namespace: string;
  activationId: string;
  transactionId?: string;
  apiKey?: string;
}

/** Containers one action may have at once unless the pool is told otherwise. */
export const DEFAULT_MAX_CONTAINERS = 4;

export interface ContainerPoolOptions {
  /** Containers one action may have at once; invocations beyond their slots wait. */
  maxContainersPerAction?: number;
  /** A container left idle this long is stopped, as OpenWhisk removes idle containers. */
  idleMs?: number;
  /** Given to the containers as NODE_PATH, for modules a bundle leaves external. */
  nodePath?: string;
  /** `__OW_API_HOST` of the containers. */
  apiHost?: string;
  /** Where the containers' output goes as well. */
  output?: NodeJS.WritableStream;
}

export interface ContainerPool {
  run(
    action: DeployedAction,
    params: Record<string, unknown>,
    context: RunContext,
  ): Promise<RunOutcome>;
  /** Containers running now, per action name. */
  containers(): Record<string, number>;
  stop(): Promise<void>;
}

interface Slot {
  container: ActionContainer;
  digest: string;
  inFlight: number;
  lastUsed: number;
}

interface ActionSlots {
  slots: Slot[];
  starting: number;
  waiting: (() => void)[];
}

/**
 * Runs actions the way an OpenWhisk invoker does: each in containers of its own, initialised
 * once and reused while warm, with up to `concurrency` activations in one container, new
 * containers on demand up to a bound, and a container thrown away after a timeout or a
 * developer error.
 */
export function createContainerPool(options: ContainerPoolOptions = {}): ContainerPool {
  const maxContainers = options.maxContainersPerAction ?? DEFAULT_MAX_CONTAINERS;
  const idleMs = options.idleMs ?? 60_000;
  const byAction = new Map<string, ActionSlots>();
  let stopped = false;

  const reaper = setInterval(() => void reap(), Math.max(1000, idleMs / 2));
  reaper.unref();

  async function reap() {
    const now = Date.now();
    for (const entry of byAction.values()) {
      const idle = entry.slots.filter((s) => s.inFlight === 0 && now - s.lastUsed > idleMs);
      for (const slot of idle) await discard(entry, slot);
    }
  }

  async function discard(entry: ActionSlots, slot: Slot) {
    const index = entry.slots.indexOf(slot);
    if (index >= 0) entry.slots.splice(index, 1);
    entry.waiting.shift()?.();
    await slot.container.stop();
  }

  async function acquire(action: DeployedAction, entry: ActionSlots): Promise<[Slot, number?]> {
    for (;;) {
      if (stopped) throw new Error('the container pool is stopped');
      // Containers of an older version finish what they run and take nothing new; a container
      // that died is replaced.
      const retired = entry.slots.filter(
        (s) => s.inFlight === 0 && (s.digest !== action.digest || !s.container.alive()),
      );
      for (const old of retired) void discard(entry, old);
      const free = entry.slots.find(
        (s) =>
          s.digest === action.digest &&
          s.inFlight < action.limits.concurrency &&
          s.container.alive(),
      );
      if (free) {
        free.inFlight += 1;
        return [free];
      }
      if (entry.slots.length + entry.starting < maxContainers) return coldSlot(action, entry);
      await new Promise<void>((resolve) => entry.waiting.push(resolve));
    }
  }

  async function coldSlot(action: DeployedAction, entry: ActionSlots): Promise<[Slot, number]> {
    entry.starting += 1;
    const started = Date.now();
    try {
      const container = await startContainer({
        action: action.name,
        memoryMb: action.limits.memoryMb,
        allowConcurrent: action.limits.concurrency > 1,
        env: containerEnv(action),
        output: options.output,
      });
      const slot: Slot = { container, digest: action.digest, inFlight: 1, lastUsed: Date.now() };
      const init = await container
        .init(
          {
            value: {
              name: action.name.split('/').pop(),
              main: action.main ?? 'main',
              code: action.code,
              binary: action.binary ?? false,
              env: action.env ?? {},
            },
          },
          action.limits.timeoutMs,
        )
        .catch((error: unknown) => ({
          status: 0,
          body: { error: (error as Error).message },
          logs: [],
        }));
      if (init.status !== 200) {
        await container.stop();
        throw new InitFailed(errorText(init.body, 'initialization failed'), init.logs);
      }
      entry.slots.push(slot);
      return [slot, Date.now() - started];
    } finally {
      entry.starting -= 1;
      // A new container has room for more than the run that started it, and a failed start
      // leaves room for another try: either way the waiting runs look again.
      for (const wake of entry.waiting.splice(0)) wake();
    }
  }

  function containerEnv(action: DeployedAction): Record<string, string> {
    const env: Record<string, string> = {};
    if (options.apiHost) env.__OW_API_HOST = options.apiHost;
    if (options.nodePath) env.NODE_PATH = options.nodePath;
    return env;
  }

  return {
    async run(action, params, context) {
      let entry = byAction.get(action.name);
      if (!entry) {
        entry = { slots: [], starting: 0, waiting: [] };
        byAction.set(action.name, entry);
      }

      const queued = Date.now();
      let slot: Slot;
      let initMs: number | undefined;
      try {
        [slot, initMs] = await acquire(action, entry);
      } catch (error) {
        if (error instanceof InitFailed) {
          return developerError(`Initialization has failed: ${error.message}`, error.logs);
        }
        return {
          result: { error: `The action could not start: ${(error as Error).message}` },
          status: ActivationStatus.WhiskError,
          logs: [],
        };
      }
      const waitMs = Date.now() - queued - (initMs ?? 0);

      const body = {
        value: params,
        namespace: context.namespace,
        action_name: action.name,
        action_version: '0.0.1',
        activation_id: context.activationId,
        transaction_id: context.transactionId ?? context.activationId,
        deadline: String(Date.now() + action.limits.timeoutMs),
        ...(options.apiHost ? { api_host: options.apiHost } : {}),
        ...(context.apiKey ? { api_key: context.apiKey } : {}),
      };

      try {
        const reply = await slot.container.run(body, action.limits.timeoutMs);
        if (reply.status !== 200 || !isObject(reply.body)) {
          await discard(entry, slot);
          const message = errorText(reply.body, 'The action did not produce a valid response.');
          return { ...developerError(message, reply.logs), initMs, waitMs };
        }
        const result = reply.body;
        return { result, status: statusOfResult(result), logs: reply.logs, initMs, waitMs };
      } catch (error) {
        await discard(entry, slot);
        const message =
          error instanceof ContainerTimeout
            ? error.message
            : 'The action did not produce a valid response and exited unexpectedly.';
        return { ...developerError(message, []), initMs, waitMs };
      } finally {
        if (entry.slots.includes(slot)) {
          slot.inFlight -= 1;
          slot.lastUsed = Date.now();
          entry.waiting.shift()?.();
        }
      }
    },

    containers() {
      const counts: Record<string, number> = {};
      for (const [name, entry] of byAction) counts[name] = entry.slots.length;
      return counts;
    },

    async stop() {
      stopped = true;
      clearInterval(reaper);
      const all = [...byAction.values()];
      for (const entry of all) for (const wake of entry.waiting.splice(0)) wake();
      await Promise.all(all.flatMap((entry) => entry.slots.map((slot) => slot.container.stop())));
      byAction.clear();
    },
  };
}

class InitFailed extends Error {
  constructor(
    message: string,
    readonly logs: string[],
  ) {
    super(message);
  }
}

function developerError(message: string, logs: string[]): RunOutcome {
  return { result: { error: message }, status: ActivationStatus.DeveloperError, logs };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function errorText(body: unknown, fallback: string): string {
  const error = isObject(body) ? body.error : undefined;
  return typeof error === 'string' ? error : fallback;
}
