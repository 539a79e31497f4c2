import { randomBytes } from 'node:crypto';

import {
  ActivationStatus,
  activationRecord,
  type ActivationRecord,
} from '../../deploy/action-proxy/activation.ts';
import { createContainerPool, type ContainerPool } from '../../deploy/action-proxy/pool.ts';
import type { ActionEntity } from './store.ts';

export interface ActivationsOptions {
  apiHost: string;
  maxContainersPerAction?: number;
  /** Where the containers' output goes as well. */
  output?: NodeJS.WritableStream;
  /** Records kept for `GET /activations`, newest first. */
  keep?: number;
}

export interface Activations {
  /** Runs `action` to the end in one of its containers and records the activation. */
  run(
    namespace: string,
    action: ActionEntity,
    params: Record<string, unknown>,
    apiKey: string,
  ): { activationId: string; done: Promise<ActivationRecord> };
  /** Records a trigger's activation, as OpenWhisk does for every fire. */
  recordTrigger(namespace: string, trigger: string, params: Record<string, unknown>): string;
  list(namespace: string, name?: string): ActivationRecord[];
  get(namespace: string, id: string): ActivationRecord | undefined;
  pool: ContainerPool;
  stop(): Promise<void>;
}

/**
 * The stand-in's invoker: every action runs from its deployed code in containers that speak
 * the action-proxy protocol, with its own limits, and nothing of this repository's modules
 * on the containers' module path, as on OpenWhisk.
 */
export function createActivations(options: ActivationsOptions): Activations {
  const pool = createContainerPool({
    apiHost: options.apiHost,
    maxContainersPerAction: options.maxContainersPerAction,
    output: options.output,
  });
  const records: ActivationRecord[] = [];
  const keep = options.keep ?? 2000;

  function store(record: ActivationRecord) {
    records.unshift(record);
    if (records.length > keep) records.length = keep;
  }

  return {
    pool,
    run(namespace, action, params, apiKey) {
      const activationId = newId();
      const start = Date.now();
      const provideKey = action.annotations.some(
        (a) => a.key === 'provide-api-key' && a.value === true,
      );
      const done = pool
        .run(
          {
            name: `/${action.namespace}/${action.name}`,
            code: action.exec.code,
            binary: action.exec.binary,
            main: action.exec.main,
            digest: `${action.version}:${action.updated}`,
            limits: {
              timeoutMs: action.limits.timeout,
              memoryMb: action.limits.memory,
              concurrency: action.limits.concurrency,
            },
          },
          params,
          { namespace, activationId, apiKey: provideKey ? apiKey : undefined },
        )
        .then((outcome) => {
          const record = activationRecord({
            activationId,
            namespace,
            path: `${action.namespace.split('/').slice(1).concat(action.name).join('/')}`,
            subject: namespace,
            start,
            end: Date.now(),
            outcome,
            kind: action.exec.kind,
            limits: action.limits,
          });
          store(record);
          return record;
        });
      return { activationId, done };
    },

    recordTrigger(namespace, trigger, params) {
      const activationId = newId();
      const now = Date.now();
      store(
        activationRecord({
          activationId,
          namespace,
          path: trigger,
          subject: namespace,
          start: now,
          end: now,
          outcome: { result: params, status: ActivationStatus.Success, logs: [] },
        }),
      );
      return activationId;
    },

    list(namespace, name) {
      return records.filter((r) => r.namespace === namespace && (!name || r.name === name));
    },

    get(namespace, id) {
      return records.find((r) => r.namespace === namespace && r.activationId === id);
    },

    stop: () => pool.stop(),
  };
}

function newId(): string {
  return randomBytes(16).toString('hex');
}
