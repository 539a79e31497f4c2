import type { ActivationRecord } from '../../deploy/action-proxy/activation.ts';
import type { Logger } from '../../lib/log.ts';
import type { Activations } from './activations.ts';
import type { AlarmProvider } from './alarms.ts';
import {
  actionView,
  ApiError,
  NOT_FOUND,
  parse,
  putAction,
  putPackage,
  putRule,
  putTrigger,
  ruleView,
  setRuleStatus,
} from './entities.ts';
import { Payload, type KeyValues } from './shapes.ts';
import type { ActionEntity, EntityStore } from './store.ts';

export interface Call {
  method: string;
  /** Already resolved: `_` is the caller's namespace. */
  namespace: string;
  /** The namespace of the caller's key. */
  caller: string;
  collection: 'packages' | 'actions' | 'triggers' | 'rules' | 'activations';
  path: string[];
  query: URLSearchParams;
  body: unknown;
}

export interface RouteContext {
  store: EntityStore;
  activations: Activations;
  alarms: AlarmProvider;
  apiKey: string;
  maxConcurrency: number;
  blockingWaitMs: number;
  log: Logger;
}

type Answer = [number, unknown];

/** One API call against the stand-in's entities; throws ApiError for OpenWhisk's refusals. */
export async function routeRequest(ctx: RouteContext, call: Call): Promise<Answer> {
  if (call.namespace === 'whisk.system') return systemCall(ctx, call);
  const put = {
    store: ctx.store,
    namespace: call.namespace,
    overwrite: call.query.get('overwrite') === 'true',
    maxConcurrency: ctx.maxConcurrency,
  };
  const [first, second, third] = call.path;

  switch (call.collection) {
    case 'packages':
      if (!first) return list(call, ctx.store.packages.values());
      if (call.method === 'PUT') return [200, putPackage(put, first, call.body)];
      return packageCall(ctx, call, first);

    case 'actions': {
      if (!first) return list(call, ctx.store.actions.values(), (a) => actionView(a, false));
      const [pkg, name] = second === undefined ? [undefined, first] : [first, second];
      if (third !== undefined) throw new ApiError(404, NOT_FOUND);
      if (call.method === 'PUT') return [200, putAction(put, pkg, name, call.body)];
      return actionCall(ctx, call, pkg, name);
    }

    case 'triggers':
      if (!first) return list(call, ctx.store.triggers.values());
      if (call.method === 'PUT') return [200, putTrigger(put, first, call.body)];
      return triggerCall(ctx, call, first);

    case 'rules':
      if (!first) return list(call, ctx.store.rules.values(), ruleView);
      if (call.method === 'PUT') return [200, ruleView(putRule(put, first, call.body))];
      return ruleCall(ctx, call, first);

    case 'activations':
      return activationCall(ctx, call);
  }
}

function list<T extends { namespace: string; name: string }>(
  call: Call,
  entities: Iterable<T>,
  view: (entity: T) => unknown = (entity) => entity,
): Answer {
  if (call.method !== 'GET') throw new ApiError(405, 'Method not allowed');
  const own = [...entities].filter(
    (e) => e.namespace === call.namespace || e.namespace.startsWith(`${call.namespace}/`),
  );
  return [200, own.map(view)];
}

function packageCall(ctx: RouteContext, call: Call, name: string): Answer {
  const key = `${call.namespace}/${name}`;
  const pkg = ctx.store.packages.get(key);
  if (!pkg) throw new ApiError(404, NOT_FOUND);
  const contents = ctx.store.actionsIn(call.namespace, name);

  if (call.method === 'GET') {
    const actions = contents.map((a) => ({
      name: a.name,
      version: a.version,
      annotations: a.annotations,
    }));
    return [200, { ...pkg, actions, feeds: [] }];
  }
  if (call.method === 'DELETE') {
    if (contents.length > 0) {
      throw new ApiError(409, `Package not empty (contains ${contents.length} entities)`);
    }
    ctx.store.packages.delete(key);
    return [200, pkg];
  }
  throw new ApiError(405, 'Method not allowed');
}

async function actionCall(
  ctx: RouteContext,
  call: Call,
  pkg: string | undefined,
  name: string,
): Promise<Answer> {
  const key = pkg === undefined ? `${call.namespace}/${name}` : `${call.namespace}/${pkg}/${name}`;
  const action = ctx.store.actions.get(key);
  if (!action) throw new ApiError(404, NOT_FOUND);

  if (call.method === 'GET') return [200, actionView(action, call.query.get('code') !== 'false')];
  if (call.method === 'DELETE') {
    ctx.store.actions.delete(key);
    return [200, actionView(action, false)];
  }
  if (call.method !== 'POST') throw new ApiError(405, 'Method not allowed');

  const params = parse(Payload, call.body ?? {});
  const merged = { ...defaults(ctx, call.namespace, pkg, action), ...params };
  const { activationId, done } = ctx.activations.run(call.namespace, action, merged, ctx.apiKey);
  if (call.query.get('blocking') !== 'true') {
    done.catch((error: unknown) => ctx.log.warn({ err: error }, 'activation failed'));
    return [202, { activationId }];
  }
  return blockingAnswer(ctx, call, action, activationId, done);
}

/**
 * OpenWhisk holds a blocking invocation for the lesser of its own wait and the action's
 * timeout, then answers 202 with the id so the caller can poll.
 */
async function blockingAnswer(
  ctx: RouteContext,
  call: Call,
  action: ActionEntity,
  activationId: string,
  done: Promise<ActivationRecord>,
): Promise<Answer> {
  const waitMs = Math.min(ctx.blockingWaitMs, action.limits.timeout + 1000);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const record = await Promise.race([
    done,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), waitMs);
    }),
  ]);
  clearTimeout(timer);
  if (!record) return [202, { activationId }];

  const status = record.response.success ? 200 : record.response.statusCode === 3 ? 500 : 502;
  return [status, call.query.get('result') === 'true' ? record.response.result : record];
}

function triggerCall(ctx: RouteContext, call: Call, name: string): Answer {
  const key = `${call.namespace}/${name}`;
  const trigger = ctx.store.triggers.get(key);
  if (!trigger) throw new ApiError(404, NOT_FOUND);

  if (call.method === 'GET') {
    return [200, { ...trigger, rules: rulesView(ctx, call.namespace, name) }];
  }
  if (call.method === 'DELETE') {
    ctx.store.triggers.delete(key);
    return [200, trigger];
  }
  if (call.method !== 'POST') throw new ApiError(405, 'Method not allowed');

  const params = { ...fromKeyValues(trigger.parameters), ...parse(Payload, call.body ?? {}) };
  const active = ctx.store.rulesOf(call.namespace, name).filter((r) => r.status === 'active');
  if (active.length === 0) return [204, undefined];

  const activationId = ctx.activations.recordTrigger(call.namespace, name, params);
  for (const rule of active) {
    const action = ctx.store.actions.get(`${rule.action.namespace}/${rule.action.name}`);
    if (!action) continue;
    const pkg = rule.action.namespace.split('/')[1];
    const merged = { ...defaults(ctx, call.namespace, pkg, action), ...params };
    const { done } = ctx.activations.run(call.namespace, action, merged, ctx.apiKey);
    done.catch((error: unknown) => {
      ctx.log.warn({ err: error, rule: rule.name }, 'rule run failed');
    });
  }
  return [202, { activationId }];
}

function rulesView(ctx: RouteContext, namespace: string, trigger: string) {
  const rules: Record<string, unknown> = {};
  for (const rule of ctx.store.rulesOf(namespace, trigger)) {
    rules[`${rule.namespace}/${rule.name}`] = {
      action: { name: rule.action.name, path: rule.action.namespace },
      status: rule.status,
    };
  }
  return rules;
}

function ruleCall(ctx: RouteContext, call: Call, name: string): Answer {
  const key = `${call.namespace}/${name}`;
  const rule = ctx.store.rules.get(key);
  if (!rule) throw new ApiError(404, NOT_FOUND);

  if (call.method === 'GET') return [200, ruleView(rule)];
  if (call.method === 'DELETE') {
    ctx.store.rules.delete(key);
    return [200, ruleView(rule)];
  }
  if (call.method === 'POST') {
    return [200, ruleView(setRuleStatus(ctx.store, call.namespace, name, call.body))];
  }
  throw new ApiError(405, 'Method not allowed');
}

function activationCall(ctx: RouteContext, call: Call): Answer {
  if (call.method !== 'GET') throw new ApiError(405, 'Method not allowed');
  const [id, part] = call.path;
  if (!id) {
    const limit = Number(call.query.get('limit') ?? 30);
    const skip = Number(call.query.get('skip') ?? 0);
    const name = call.query.get('name') ?? undefined;
    const found = ctx.activations.list(call.namespace, name?.split('/').pop());
    const docs = call.query.get('docs') === 'true';
    return [
      200,
      found
        .slice(skip, skip + limit)
        .map((r) => (docs ? r : { ...r, response: undefined, logs: undefined })),
    ];
  }
  const record = ctx.activations.get(call.namespace, id);
  if (!record) throw new ApiError(404, NOT_FOUND);
  if (part === 'result') return [200, record.response];
  if (part === 'logs') return [200, { logs: record.logs }];
  return [200, record];
}

/**
 * The system namespace offers one thing here: the alarm feed action, which every namespace
 * may invoke, blocking, with a lifecycle event.
 */
function systemCall(ctx: RouteContext, call: Call): Answer {
  const [pkg, name] = call.path;
  const isFeed = pkg === 'alarms' && name === 'alarm' && call.path.length === 2;
  if (call.collection !== 'actions' || !isFeed) {
    throw new ApiError(404, NOT_FOUND);
  }
  if (call.method === 'GET') {
    const annotations = [{ key: 'feed', value: true }];
    return [200, { namespace: 'whisk.system/alarms', name: 'alarm', annotations }];
  }
  if (call.method !== 'POST') throw new ApiError(405, 'Method not allowed');

  const params = parse(Payload, call.body ?? {});
  // The feed works in the caller's namespace, whatever namespace the feed action lives in.
  const answer = ctx.alarms.feed({ params, namespace: call.caller, apiKey: ctx.apiKey });
  const start = Date.now();
  const success = 'result' in answer;
  const record = {
    activationId: ctx.activations.recordTrigger(call.caller, 'alarm', {}),
    namespace: call.caller,
    name: 'alarm',
    start,
    end: Date.now(),
    response: {
      status: success ? 'success' : 'application error',
      statusCode: success ? 0 : 1,
      success,
      result: success ? answer.result : { error: answer.error },
    },
    logs: [],
    annotations: [{ key: 'path', value: 'whisk.system/alarms/alarm' }],
  };
  if (call.query.get('blocking') !== 'true') return [202, { activationId: record.activationId }];
  const body = call.query.get('result') === 'true' ? record.response.result : record;
  return [success ? 200 : 502, body];
}

/** Parameters an invocation starts from: the package's, then the action's over them. */
function defaults(
  ctx: RouteContext,
  namespace: string,
  pkg: string | undefined,
  action: ActionEntity,
): Record<string, unknown> {
  const inherited = pkg === undefined ? undefined : ctx.store.packages.get(`${namespace}/${pkg}`);
  return { ...fromKeyValues(inherited?.parameters), ...fromKeyValues(action.parameters) };
}

function fromKeyValues(values: KeyValues | undefined): Record<string, unknown> {
  return Object.fromEntries((values ?? []).map((kv) => [kv.key, kv.value]));
}
