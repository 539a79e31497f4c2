import type { KeyValues } from './shapes.ts';

/** OpenWhisk's entities as its controller stores and returns them. */

interface Entity {
  namespace: string;
  name: string;
  version: string;
  publish: boolean;
  annotations: KeyValues;
  updated: number;
}

export interface PackageEntity extends Entity {
  parameters: KeyValues;
  binding: Record<string, never> | { namespace: string; name: string };
}

export interface ActionEntity extends Entity {
  /** `namespace` or `namespace/package`, as OpenWhisk reports an action's namespace. */
  exec: { kind: string; code: string; binary: boolean; main?: string };
  parameters: KeyValues;
  limits: { timeout: number; memory: number; logs: number; concurrency: number };
}

export interface TriggerEntity extends Entity {
  parameters: KeyValues;
  limits: Record<string, never>;
}

export interface RuleEntity extends Entity {
  status: 'active' | 'inactive';
  trigger: { namespace: string; name: string };
  action: { namespace: string; name: string };
}

export const DEFAULT_LIMITS = { timeout: 60_000, memory: 256, logs: 10, concurrency: 1 };

/** The entities of one stand-in, keyed by `namespace/name` or `namespace/package/name`. */
export class EntityStore {
  readonly packages = new Map<string, PackageEntity>();
  readonly actions = new Map<string, ActionEntity>();
  readonly triggers = new Map<string, TriggerEntity>();
  readonly rules = new Map<string, RuleEntity>();

  /** Rules whose trigger is `/namespace/name`, active or not. */
  rulesOf(namespace: string, trigger: string): RuleEntity[] {
    return [...this.rules.values()].filter(
      (rule) => rule.trigger.namespace === namespace && rule.trigger.name === trigger,
    );
  }

  /** Actions inside the package `namespace/pkg`. */
  actionsIn(namespace: string, pkg: string): ActionEntity[] {
    const inside = `${namespace}/${pkg}`;
    return [...this.actions.values()].filter((action) => action.namespace === inside);
  }

  counts() {
    return {
      packages: this.packages.size,
      actions: this.actions.size,
      triggers: this.triggers.size,
      rules: this.rules.size,
    };
  }
}

/** OpenWhisk bumps the patch level of an entity's version on every update. */
export function nextVersion(version: string | undefined): string {
  if (!version) return '0.0.1';
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return `${major}.${minor}.${patch + 1}`;
}
