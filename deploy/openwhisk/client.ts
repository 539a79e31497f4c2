import openwhisk from 'openwhisk';

import { ErrorCode, WhiskpoolError } from '../../lib/errors.ts';
import type { KeyValue } from './plan.ts';

/** An entity as OpenWhisk's API returns it; only the fields a deployment compares. */
export interface WhiskEntity {
  name: string;
  namespace?: string;
  parameters?: KeyValue[];
  annotations?: KeyValue[];
  limits?: Record<string, unknown>;
  exec?: { kind?: string; main?: string; binary?: boolean };
  status?: string;
  trigger?: { name: string; path: string };
  action?: { name: string; path: string };
  actions?: { name: string; annotations?: KeyValue[] }[];
}

export interface AlarmConfig {
  cron?: string;
  trigger_payload?: Record<string, unknown>;
}

export interface ActionBody {
  code: string;
  kind: string;
  main: string;
  limits: Record<string, number>;
  annotations: KeyValue[];
}

/** The calls a deployment makes, over the `openwhisk` client. Reads answer null for 404. */
export interface WhiskApi {
  getPackage(name: string): Promise<WhiskEntity | null>;
  putPackage(name: string, parameters: KeyValue[], annotations: KeyValue[]): Promise<void>;
  deletePackage(name: string): Promise<void>;
  /** `pkg/name`; without the code. */
  getAction(name: string): Promise<WhiskEntity | null>;
  putAction(name: string, body: ActionBody): Promise<void>;
  deleteAction(name: string): Promise<void>;
  listTriggers(): Promise<WhiskEntity[]>;
  getTrigger(name: string): Promise<WhiskEntity | null>;
  putTrigger(name: string, annotations: KeyValue[]): Promise<void>;
  deleteTrigger(name: string): Promise<void>;
  listRules(): Promise<WhiskEntity[]>;
  getRule(name: string): Promise<WhiskEntity | null>;
  putRule(name: string, trigger: string, action: string, annotations: KeyValue[]): Promise<void>;
  enableRule(name: string): Promise<void>;
  disableRule(name: string): Promise<void>;
  deleteRule(name: string): Promise<void>;
  /** The alarm of a trigger, or null when its feed has none. */
  readFeed(feed: string, trigger: string): Promise<AlarmConfig | null>;
  feed(
    event: 'CREATE' | 'UPDATE' | 'DELETE',
    feed: string,
    trigger: string,
    params?: AlarmConfig,
  ): Promise<void>;
}

export interface WhiskTarget {
  apihost: string;
  apiKey: string;
  namespace?: string;
}

/** The client's typings lag its code (annotations on packages and rules, feed READ). */
type Loose = Record<string, (options: Record<string, unknown>) => Promise<unknown>>;

export function createWhiskApi(target: WhiskTarget): WhiskApi {
  const client = openwhisk({
    apihost: target.apihost,
    api_key: target.apiKey,
    namespace: target.namespace ?? '_',
  });
  const packages = client.packages as unknown as Loose;
  const actions = client.actions as unknown as Loose;
  const triggers = client.triggers as unknown as Loose;
  const rules = client.rules as unknown as Loose;
  const feeds = client.feeds as unknown as Loose;

  const call = async <T>(what: string, run: () => Promise<unknown>): Promise<T> => {
    try {
      return (await run()) as T;
    } catch (error) {
      throw platformError(what, error);
    }
  };
  const read = async (what: string, run: () => Promise<unknown>): Promise<WhiskEntity | null> => {
    try {
      return (await run()) as WhiskEntity;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw platformError(what, error);
    }
  };
  const asDict = (values: KeyValue[]) => Object.fromEntries(values.map((kv) => [kv.key, kv.value]));

  return {
    getPackage: (name) => read(`reading package ${name}`, () => packages.get!({ name })),
    putPackage: (name, parameters, annotations) =>
      call(`writing package ${name}`, () =>
        packages.create!({
          name,
          overwrite: true,
          package: { parameters },
          annotations: asDict(annotations),
        }),
      ),
    deletePackage: (name) => call(`deleting package ${name}`, () => packages.delete!({ name })),

    getAction: (name) => read(`reading action ${name}`, () => actions.get!({ name, code: false })),
    putAction: (name, body) =>
      call(`writing action ${name}`, () =>
        actions.create!({
          name,
          overwrite: true,
          action: body.code,
          kind: body.kind,
          exec: { main: body.main },
          limits: body.limits,
          annotations: asDict(body.annotations),
        }),
      ),
    deleteAction: (name) => call(`deleting action ${name}`, () => actions.delete!({ name })),

    listTriggers: () => call('listing triggers', () => triggers.list!({ limit: 200 })),
    getTrigger: (name) => read(`reading trigger ${name}`, () => triggers.get!({ name })),
    putTrigger: (name, annotations) =>
      call(`writing trigger ${name}`, () =>
        triggers.create!({ name, overwrite: true, trigger: {}, annotations: asDict(annotations) }),
      ),
    deleteTrigger: (name) => call(`deleting trigger ${name}`, () => triggers.delete!({ name })),

    listRules: () => call('listing rules', () => rules.list!({ limit: 200 })),
    getRule: (name) => read(`reading rule ${name}`, () => rules.get!({ name })),
    putRule: (name, trigger, action, annotations) =>
      call(`writing rule ${name}`, () =>
        rules.create!({ name, overwrite: true, trigger, action, annotations: asDict(annotations) }),
      ),
    enableRule: (name) => call(`enabling rule ${name}`, () => rules.enable!({ name })),
    disableRule: (name) => call(`disabling rule ${name}`, () => rules.disable!({ name })),
    deleteRule: (name) => call(`deleting rule ${name}`, () => rules.delete!({ name })),

    async readFeed(feed, trigger) {
      try {
        const activation = (await feeds.get!({ name: feed, trigger })) as {
          response?: { result?: { config?: AlarmConfig } };
        };
        return activation.response?.result?.config ?? null;
      } catch (error) {
        // The feed answers a trigger it has no alarm for with an application error (502).
        const status = statusOf(error);
        if (status === 404 || status === 502) return null;
        throw platformError(`reading the alarm of ${trigger}`, error);
      }
    },
    feed: (event, feed, trigger, params) => {
      const method = { CREATE: 'create', UPDATE: 'update', DELETE: 'delete' }[event];
      return call(`${method === 'delete' ? 'removing' : 'setting'} the alarm of ${trigger}`, () =>
        feeds[method]!({ name: feed, trigger, params: params ?? {} }),
      );
    },
  };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The client's messages name the URL and OpenWhisk's answer, never the key; the answer of a
 * feed action may quote its params, so only its error text is kept.
 */
function platformError(what: string, error: unknown): WhiskpoolError {
  const status = statusOf(error);
  type Answer = { error?: unknown; response?: { result?: { error?: unknown } } };
  const body = (error as { error?: Answer }).error;
  const reason = body?.response?.result?.error ?? body?.error ?? (error as Error).message;
  const text = typeof reason === 'string' ? reason : JSON.stringify(reason);
  return new WhiskpoolError(
    ErrorCode.DeployFailed,
    `OpenWhisk: ${what} failed${status ? ` (HTTP ${status})` : ''}: ${text}`,
    { retryable: status === undefined || status >= 500 },
  );
}
