import type { z } from 'zod';

import {
  actionPut,
  ENTITY_NAME,
  PackagePut,
  problemsOf,
  RulePut,
  RuleStatus,
  TriggerPut,
  type KeyValues,
} from './shapes.ts';
import {
  DEFAULT_LIMITS,
  nextVersion,
  type ActionEntity,
  type EntityStore,
  type PackageEntity,
  type RuleEntity,
  type TriggerEntity,
} from './store.ts';

/** An answer the API gives instead of the entity: OpenWhisk's `{error, code}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Shape problems of the request, listed for tests to assert on. */
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

export const NOT_FOUND = 'The requested resource does not exist.';

/** The kinds this stand-in can run: Node.js actions, run by the action proxy. */
const KINDS = new Map([
  ['nodejs:default', 'nodejs:20'],
  ['nodejs:18', 'nodejs:18'],
  ['nodejs:20', 'nodejs:20'],
]);

const CODE_SIZE_LIMIT = 48 * 1024 * 1024;
const PARAMETERS_SIZE_LIMIT = 1024 * 1024;

export function checkName(name: string, what: string) {
  if (!ENTITY_NAME.test(name)) {
    throw new ApiError(400, `The ${what} name "${name}" is not valid.`, [`${what} name: invalid`]);
  }
}

export function parse<S extends z.ZodTypeAny>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error);
    throw new ApiError(400, `The request content was malformed: ${problems.join('; ')}`, problems);
  }
  return parsed.data;
}

function checkParameters(parameters: KeyValues | undefined) {
  if (!parameters) return;
  const size = Buffer.byteLength(JSON.stringify(parameters));
  if (size > PARAMETERS_SIZE_LIMIT) {
    throw new ApiError(413, `The parameters are ${size} bytes, more than the 1 MB allowed.`);
  }
}

interface PutContext {
  store: EntityStore;
  namespace: string;
  overwrite: boolean;
  maxConcurrency: number;
}

function existingOrConflict<T>(found: T | undefined, overwrite: boolean): T | undefined {
  if (found && !overwrite) throw new ApiError(409, 'resource already exists');
  return found;
}

export function putPackage(ctx: PutContext, name: string, body: unknown): PackageEntity {
  checkName(name, 'package');
  const input = parse(PackagePut, body);
  checkParameters(input.parameters);
  const key = `${ctx.namespace}/${name}`;
  const old = existingOrConflict(ctx.store.packages.get(key), ctx.overwrite);
  const entity: PackageEntity = {
    namespace: ctx.namespace,
    name,
    version: nextVersion(old?.version),
    publish: input.publish ?? old?.publish ?? false,
    parameters: input.parameters ?? old?.parameters ?? [],
    annotations: input.annotations ?? old?.annotations ?? [],
    binding: (input.binding as PackageEntity['binding'] | undefined) ?? old?.binding ?? {},
    updated: Date.now(),
  };
  ctx.store.packages.set(key, entity);
  return entity;
}

export function putAction(
  ctx: PutContext,
  pkg: string | undefined,
  name: string,
  body: unknown,
): ActionEntity {
  checkName(name, 'action');
  if (pkg !== undefined && !ctx.store.packages.has(`${ctx.namespace}/${pkg}`)) {
    throw new ApiError(404, NOT_FOUND);
  }
  const input = parse(actionPut(ctx.maxConcurrency), body);
  checkParameters(input.parameters);
  const namespace = pkg === undefined ? ctx.namespace : `${ctx.namespace}/${pkg}`;
  const key = `${namespace}/${name}`;
  const old = existingOrConflict(ctx.store.actions.get(key), ctx.overwrite);

  const exec = input.exec ? checkExec(input.exec) : old?.exec;
  if (!exec) {
    throw new ApiError(400, 'The request content was malformed: exec is required.', [
      'exec: Required',
    ]);
  }

  const annotations = input.annotations ?? old?.annotations ?? [];
  const entity: ActionEntity = {
    namespace,
    name,
    version: nextVersion(old?.version),
    publish: input.publish ?? old?.publish ?? false,
    exec,
    parameters: input.parameters ?? old?.parameters ?? [],
    // The controller adds the runtime's family, as it does for every action.
    annotations: annotations.some((a) => a.key === 'exec')
      ? annotations
      : [...annotations, { key: 'exec', value: 'nodejs' }],
    limits: { ...DEFAULT_LIMITS, ...old?.limits, ...input.limits },
    updated: Date.now(),
  };
  ctx.store.actions.set(key, entity);
  return entity;
}

function checkExec(exec: NonNullable<z.infer<ReturnType<typeof actionPut>>['exec']>) {
  const kind = KINDS.get(exec.kind);
  if (!kind) {
    throw new ApiError(400, `kind '${exec.kind}' not in Set(${[...KINDS.keys()].join(', ')})`, [
      'exec.kind: not supported',
    ]);
  }
  if (!exec.code) {
    throw new ApiError(400, 'exec malformed: code is required', ['exec.code: Required']);
  }
  const size = Buffer.byteLength(exec.code);
  if (size > CODE_SIZE_LIMIT) {
    throw new ApiError(413, `The code is ${size} bytes, more than 48 MB.`);
  }
  const main = exec.main ? { main: exec.main } : {};
  return { kind, code: exec.code, binary: exec.binary ?? false, ...main };
}

export function putTrigger(ctx: PutContext, name: string, body: unknown): TriggerEntity {
  checkName(name, 'trigger');
  const input = parse(TriggerPut, body);
  checkParameters(input.parameters);
  const key = `${ctx.namespace}/${name}`;
  const old = existingOrConflict(ctx.store.triggers.get(key), ctx.overwrite);
  const entity: TriggerEntity = {
    namespace: ctx.namespace,
    name,
    version: nextVersion(old?.version),
    publish: input.publish ?? old?.publish ?? false,
    parameters: input.parameters ?? old?.parameters ?? [],
    annotations: input.annotations ?? old?.annotations ?? [],
    limits: {},
    updated: Date.now(),
  };
  ctx.store.triggers.set(key, entity);
  return entity;
}

export function putRule(ctx: PutContext, name: string, body: unknown): RuleEntity {
  checkName(name, 'rule');
  const input = parse(RulePut, body);
  const key = `${ctx.namespace}/${name}`;
  const old = existingOrConflict(ctx.store.rules.get(key), ctx.overwrite);
  if (!old && (!input.trigger || !input.action)) {
    throw new ApiError(400, 'The request content was malformed: a rule needs trigger and action.', [
      'trigger/action: Required',
    ]);
  }

  const trigger = input.trigger ? splitQualified(ctx.namespace, input.trigger) : old!.trigger;
  const action = input.action ? splitQualified(ctx.namespace, input.action) : old!.action;
  if (!ctx.store.triggers.has(`${trigger.namespace}/${trigger.name}`)) {
    throw new ApiError(404, `${NOT_FOUND} (trigger ${trigger.name})`);
  }
  if (!ctx.store.actions.has(`${action.namespace}/${action.name}`)) {
    throw new ApiError(404, `${NOT_FOUND} (action ${action.name})`);
  }

  const entity: RuleEntity = {
    namespace: ctx.namespace,
    name,
    version: nextVersion(old?.version),
    publish: input.publish ?? old?.publish ?? false,
    status: old?.status ?? 'active',
    trigger,
    action,
    annotations: input.annotations ?? old?.annotations ?? [],
    updated: Date.now(),
  };
  ctx.store.rules.set(key, entity);
  return entity;
}

export function setRuleStatus(store: EntityStore, namespace: string, name: string, body: unknown) {
  const rule = store.rules.get(`${namespace}/${name}`);
  if (!rule) throw new ApiError(404, NOT_FOUND);
  rule.status = parse(RuleStatus, body).status;
  return rule;
}

/**
 * `/ns/name` or `/ns/pkg/name` into the namespace (with package) and name, as stored;
 * `_` is the caller's own namespace.
 */
function splitQualified(own: string, qualified: string): { namespace: string; name: string } {
  const [, ns = '', ...rest] = qualified.split('/');
  const namespace = ns === '_' ? own : ns;
  const name = rest.pop() ?? '';
  return { namespace: [namespace, ...rest].join('/'), name };
}

/** A rule as the API shows it: trigger and action as `{name, path}`. */
export function ruleView(rule: RuleEntity) {
  return {
    ...rule,
    trigger: { name: rule.trigger.name, path: rule.trigger.namespace },
    action: { name: rule.action.name, path: rule.action.namespace },
  };
}

/** An action as the API shows it; `code=false` leaves the code out. */
export function actionView(action: ActionEntity, withCode: boolean) {
  if (withCode) return action;
  const { code: _code, ...exec } = action.exec;
  return { ...action, exec };
}
