import { createHash } from 'node:crypto';

import type { ActionSettings } from '../../lib/actions/settings.ts';
import { Subject } from '../../lib/events/subjects.ts';
import { limitsOf } from './limits.ts';

/** Every entity a deployment creates carries this annotation; undeploy removes only those. */
export const MANAGED_BY = { key: 'managed-by', value: 'whiskpool' } as const;

export const ALARM_FEED = '/whisk.system/alarms/alarm';
export const ACTION_KIND = 'nodejs:20';

export interface KeyValue {
  key: string;
  value: unknown;
}

export interface PlannedPackage {
  name: string;
  parameters: KeyValue[];
  annotations: KeyValue[];
}

export interface PlannedAction {
  /** Within the package, e.g. `spawn`. */
  name: string;
  code: string;
  sha256: string;
  kind: string;
  main: string;
  limits: { timeout: number; memory: number; logs: number; concurrency: number };
  annotations: KeyValue[];
}

export interface PlannedTrigger {
  name: string;
  annotations: KeyValue[];
  feed: string;
  /** What the alarm feed is created with; fired as the rule's action params. */
  feedParams: { cron: string; trigger_payload: Record<string, unknown> };
}

export interface PlannedRule {
  name: string;
  trigger: string;
  /** `package/action`. */
  action: string;
  annotations: KeyValue[];
}

export interface DeploymentPlan {
  package: PlannedPackage;
  actions: PlannedAction[];
  triggers: PlannedTrigger[];
  rules: PlannedRule[];
}

export interface PlanInput {
  packageName: string;
  settings: ActionSettings;
  /** Each action's bundle: its name and code. */
  bundles: readonly { action: string; code: string }[];
}

/**
 * What a deployment holds: the package whose default parameters carry the settings every
 * action reads, one action per bundle with its limits, and an alarm trigger with a rule for
 * each periodic job whose action exists. An alarm's payload is fixed when it is created, so
 * a tick's `at` is 0; the actions take the time from their own clock.
 */
export function planDeployment(input: PlanInput): DeploymentPlan {
  const { packageName, settings } = input;
  const names = new Set(input.bundles.map((b) => b.action));

  const actions = input.bundles.map((bundle): PlannedAction => {
    const limits = limitsOf(bundle.action);
    const sha256 = createHash('sha256').update(bundle.code).digest('hex');
    return {
      name: bundle.action,
      code: bundle.code,
      sha256,
      kind: ACTION_KIND,
      main: 'main',
      limits: {
        timeout: limits.timeoutMs,
        memory: limits.memoryMb,
        logs: limits.logsMb,
        concurrency: limits.concurrency,
      },
      annotations: [MANAGED_BY, { key: 'code-sha256', value: sha256 }],
    };
  });

  const alarms = [
    {
      job: 'sweep',
      action: 'reconcile',
      cron: settings.config.cron.cleanup,
      payload: { subject: Subject.Sweep, event: { reason: 'cron cleanup', at: 0 } },
    },
    {
      job: 'image-refresh',
      action: 'image-refresh',
      cron: settings.config.cron.imageUpdate,
      payload: {
        subject: Subject.ImageRefresh,
        event: { all: true, reason: 'cron image-update', at: 0 },
      },
    },
  ].filter((alarm) => names.has(alarm.action));

  return {
    package: {
      name: packageName,
      parameters: [{ key: 'whiskpool', value: settings }],
      annotations: [
        MANAGED_BY,
        { key: 'description', value: 'whiskpool: single-use build machines' },
      ],
    },
    actions,
    triggers: alarms.map((alarm) => ({
      name: `${packageName}-${alarm.job}`,
      annotations: [MANAGED_BY, { key: 'feed', value: ALARM_FEED }],
      feed: ALARM_FEED,
      feedParams: { cron: alarm.cron, trigger_payload: alarm.payload },
    })),
    rules: alarms.map((alarm) => ({
      name: `${packageName}-${alarm.job}`,
      trigger: `${packageName}-${alarm.job}`,
      action: `${packageName}/${alarm.action}`,
      annotations: [MANAGED_BY],
    })),
  };
}

/** A short fingerprint of a value that must not be shown, e.g. settings holding passwords. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}
