import type { WhiskApi, WhiskEntity } from './client.ts';
import { fingerprint, MANAGED_BY, type DeploymentPlan, type KeyValue } from './plan.ts';

export type ChangeKind = 'create' | 'update' | 'delete' | 'enable' | 'unchanged';

export interface Change {
  entity: 'package' | 'action' | 'trigger' | 'alarm' | 'rule';
  name: string;
  change: ChangeKind;
  /** What the entity will be, for people; never a secret. */
  detail: string;
  apply(): Promise<void>;
}

/**
 * Compares the plan with what the namespace holds and returns the changes that make them
 * equal, in the order they must run: containers before contents, triggers before their
 * alarms and rules. Entities left over from an earlier plan go too, but only those this
 * tool created (they carry the `managed-by` annotation).
 */
export async function planChanges(api: WhiskApi, plan: DeploymentPlan): Promise<Change[]> {
  const changes: Change[] = [];
  const pkg = plan.package;

  const existingPackage = await api.getPackage(pkg.name);
  changes.push({
    entity: 'package',
    name: pkg.name,
    change: compare(
      existingPackage,
      (found) =>
        sameJson(found.parameters ?? [], pkg.parameters) &&
        hasAnnotations(found, pkg.annotations),
    ),
    detail: `parameters: whiskpool settings ${fingerprint(pkg.parameters)} (values withheld)`,
    apply: () => api.putPackage(pkg.name, pkg.parameters, pkg.annotations),
  });

  for (const action of plan.actions) {
    const name = `${pkg.name}/${action.name}`;
    const found = existingPackage ? await api.getAction(name) : null;
    const { limits } = action;
    changes.push({
      entity: 'action',
      name,
      change: compare(
        found,
        (existing) =>
          existing.exec?.kind === action.kind &&
          (existing.exec?.main ?? 'main') === action.main &&
          Object.entries(limits).every(([key, value]) => existing.limits?.[key] === value) &&
          (existing.parameters ?? []).length === 0 &&
          hasAnnotations(existing, action.annotations),
      ),
      detail:
        `${action.kind}, ${(Buffer.byteLength(action.code) / 1024 / 1024).toFixed(2)} MiB ` +
        `sha256 ${action.sha256.slice(0, 12)}, timeout ${limits.timeout / 1000} s, ` +
        `memory ${limits.memory} MB, concurrency ${limits.concurrency}`,
      apply: () => api.putAction(name, action),
    });
  }

  for (const trigger of plan.triggers) {
    const found = await api.getTrigger(trigger.name);
    changes.push({
      entity: 'trigger',
      name: trigger.name,
      change: compare(
        found,
        (existing) =>
          (existing.parameters ?? []).length === 0 && hasAnnotations(existing, trigger.annotations),
      ),
      detail: `fed by ${trigger.feed}`,
      apply: () => api.putTrigger(trigger.name, trigger.annotations),
    });

    const alarm = found ? await api.readFeed(trigger.feed, trigger.name) : null;
    const wanted = trigger.feedParams;
    changes.push({
      entity: 'alarm',
      name: trigger.name,
      change: !alarm
        ? 'create'
        : alarm.cron === wanted.cron &&
            sameJson(alarm.trigger_payload ?? {}, wanted.trigger_payload)
          ? 'unchanged'
          : 'update',
      detail: `cron "${wanted.cron}" (UTC), payload ${JSON.stringify(wanted.trigger_payload)}`,
      apply: () => api.feed(alarm ? 'UPDATE' : 'CREATE', trigger.feed, trigger.name, wanted),
    });
  }

  for (const rule of plan.rules) {
    const found = await api.getRule(rule.name);
    const same =
      found !== null &&
      found.trigger?.name === rule.trigger &&
      actionPath(found) === rule.action &&
      hasAnnotations(found, rule.annotations);
    const change: ChangeKind = !found
      ? 'create'
      : !same
        ? 'update'
        : found.status === 'active'
          ? 'unchanged'
          : 'enable';
    changes.push({
      entity: 'rule',
      name: rule.name,
      change,
      detail: `${rule.trigger} -> ${rule.action}`,
      apply: async () => {
        if (change !== 'enable') {
          await api.putRule(rule.name, rule.trigger, rule.action, rule.annotations);
        }
        if (found && found.status !== 'active') await api.enableRule(rule.name);
      },
    });
  }

  changes.push(...(await leftovers(api, plan, existingPackage)));
  return changes;
}

/** Managed entities of this package that the plan no longer has, in deletion order. */
async function leftovers(
  api: WhiskApi,
  plan: DeploymentPlan,
  existingPackage: WhiskEntity | null,
): Promise<Change[]> {
  const prefix = `${plan.package.name}-`;
  const ruleNames = new Set(plan.rules.map((r) => r.name));
  const triggerNames = new Set(plan.triggers.map((t) => t.name));
  const actionNames = new Set(plan.actions.map((a) => a.name));

  const rules = (await api.listRules()).filter(
    (r) => r.name.startsWith(prefix) && isManaged(r) && !ruleNames.has(r.name),
  );
  const triggers = (await api.listTriggers()).filter(
    (t) => t.name.startsWith(prefix) && isManaged(t) && !triggerNames.has(t.name),
  );
  const actions = (existingPackage?.actions ?? []).filter(
    (a) => isManaged(a) && !actionNames.has(a.name),
  );
  return removals(api, plan.package.name, { rules, triggers, actions, pkg: null });
}

export interface Removable {
  rules: WhiskEntity[];
  triggers: WhiskEntity[];
  actions: { name: string }[];
  pkg: WhiskEntity | null;
}

/** Deletions in an order OpenWhisk accepts: rules, alarms, triggers, actions, package. */
export function removals(api: WhiskApi, packageName: string, found: Removable): Change[] {
  const deletion = (
    entity: Change['entity'],
    name: string,
    apply: () => Promise<void>,
    detail = 'no longer deployed',
  ): Change => ({ entity, name, change: 'delete', detail, apply });

  const changes: Change[] = [];
  for (const rule of found.rules) {
    changes.push(deletion('rule', rule.name, () => api.deleteRule(rule.name)));
  }
  for (const trigger of found.triggers) {
    const feed = annotation(trigger, 'feed');
    if (typeof feed === 'string') {
      const removeAlarm = async () => {
        if (await api.readFeed(feed, trigger.name)) await api.feed('DELETE', feed, trigger.name);
      };
      changes.push(deletion('alarm', trigger.name, removeAlarm, `from ${feed}`));
    }
    changes.push(deletion('trigger', trigger.name, () => api.deleteTrigger(trigger.name)));
  }
  for (const action of found.actions) {
    const name = `${packageName}/${action.name}`;
    changes.push(deletion('action', name, () => api.deleteAction(name)));
  }
  if (found.pkg) {
    const removePackage = () => api.deletePackage(packageName);
    changes.push(deletion('package', packageName, removePackage, 'and its default parameters'));
  }
  return changes;
}

export async function applyChanges(changes: readonly Change[]): Promise<void> {
  for (const change of changes) if (change.change !== 'unchanged') await change.apply();
}

/** One line per change and a summary line; "no change" when the namespace already matches. */
export function describeChanges(changes: readonly Change[]): string[] {
  const width = Math.max(...changes.map((c) => c.name.length), 10);
  const lines = changes.map(
    (c) => `${c.change.padEnd(9)} ${c.entity.padEnd(7)} ${c.name.padEnd(width)}  ${c.detail}`,
  );
  const counts = new Map<ChangeKind, number>();
  for (const c of changes) counts.set(c.change, (counts.get(c.change) ?? 0) + 1);
  const acting = [...counts].filter(([kind]) => kind !== 'unchanged');
  lines.push(
    acting.length === 0
      ? 'no change'
      : acting.map(([kind, count]) => `${count} to ${kind}`).join(', ') +
          `, ${counts.get('unchanged') ?? 0} unchanged`,
  );
  return lines;
}

export function isManaged(entity: { annotations?: KeyValue[] }): boolean {
  return annotation(entity, MANAGED_BY.key) === MANAGED_BY.value;
}

function annotation(entity: { annotations?: KeyValue[] }, key: string): unknown {
  return entity.annotations?.find((a) => a.key === key)?.value;
}

function compare(found: WhiskEntity | null, same: (found: WhiskEntity) => boolean): ChangeKind {
  if (!found) return 'create';
  return same(found) ? 'unchanged' : 'update';
}

/** The annotations this tool sets; others (OpenWhisk's own `exec`, say) are not compared. */
function hasAnnotations(found: WhiskEntity, wanted: readonly KeyValue[]): boolean {
  return wanted.every((w) => sameJson(annotation(found, w.key), w.value));
}

/** `package/action` of a rule's action; its path is `namespace/package`. */
function actionPath(rule: WhiskEntity): string | undefined {
  if (!rule.action) return undefined;
  return [...rule.action.path.split('/').slice(1), rule.action.name].join('/');
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with every object's keys sorted, so that key order never counts as a difference. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>);
    return Object.fromEntries(entries.sort(([x], [y]) => (x < y ? -1 : 1)));
  });
}
