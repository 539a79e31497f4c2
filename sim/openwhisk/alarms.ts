import { Cron } from 'croner';

import { AlarmFeedParams, problemsOf } from './shapes.ts';

/** Where the provider fires: a trigger of a namespace, with its payload. */
export type FireTrigger = (
  namespace: string,
  trigger: string,
  payload: Record<string, unknown>,
) => void;

export interface AlarmView {
  trigger: string;
  cron: string;
  payload: Record<string, unknown>;
  active: boolean;
}

export interface FeedCall {
  params: Record<string, unknown>;
  /** The namespace and key of whoever invoked the feed action. */
  namespace: string;
  apiKey: string;
}

export type FeedAnswer = { result: Record<string, unknown> } | { error: string };

interface Alarm {
  namespace: string;
  trigger: string;
  cron: string;
  timezone: string;
  payload: Record<string, unknown>;
  active: boolean;
  changed: number;
  job: Cron;
}

/**
 * The alarm package's `alarm` feed: a feed action that OpenWhisk's clients invoke with a
 * lifecycle event, and a provider that fires the trigger on its cron schedule with the
 * trigger payload it was given. Errors come back as the feed action's application error.
 */
export function createAlarmProvider(
  triggerExists: (namespace: string, trigger: string) => boolean,
  fire: FireTrigger,
) {
  const alarms = new Map<string, Alarm>();

  function schedule(alarm: Omit<Alarm, 'job'>): Alarm {
    const job = new Cron(alarm.cron, { timezone: alarm.timezone, paused: !alarm.active }, () =>
      fire(alarm.namespace, alarm.trigger, alarm.payload),
    );
    return { ...alarm, job };
  }

  function feed(call: FeedCall): FeedAnswer {
    const parsed = AlarmFeedParams.safeParse(call.params);
    if (!parsed.success) return { error: `alarm feed: ${problemsOf(parsed.error).join('; ')}` };
    const params = parsed.data;

    const [, namespacePart = '', trigger = ''] = params.triggerName.split('/');
    const namespace = namespacePart === '_' ? call.namespace : namespacePart;
    if (namespace !== call.namespace) {
      return { error: `alarm feed: trigger ${params.triggerName} is not in your namespace` };
    }
    if (params.authKey !== call.apiKey) {
      return { error: 'alarm feed: authKey is not the key of the caller' };
    }
    const key = `${namespace}/${trigger}`;
    const existing = alarms.get(key);

    switch (params.lifecycleEvent) {
      case 'CREATE': {
        if (!triggerExists(namespace, trigger)) {
          return { error: `alarm feed: trigger ${params.triggerName} does not exist` };
        }
        if (existing) {
          return { error: `alarm feed: trigger ${params.triggerName} already has an alarm` };
        }
        if (!params.cron) return { error: 'alarm feed: cron is required' };
        const problem = cronProblem(params.cron, params.timezone);
        if (problem) return { error: `alarm feed: ${problem}` };
        alarms.set(
          key,
          schedule({
            namespace,
            trigger,
            cron: params.cron,
            timezone: params.timezone ?? 'UTC',
            payload: params.trigger_payload ?? {},
            active: true,
            changed: Date.now(),
          }),
        );
        return { result: {} };
      }
      case 'READ': {
        if (!existing) return { error: `alarm feed: no alarm for trigger ${params.triggerName}` };
        return {
          result: {
            config: {
              name: trigger,
              namespace,
              cron: existing.cron,
              timezone: existing.timezone,
              trigger_payload: existing.payload,
            },
            status: { active: existing.active, dateChanged: existing.changed },
          },
        };
      }
      case 'UPDATE': {
        if (!existing) return { error: `alarm feed: no alarm for trigger ${params.triggerName}` };
        const cron = params.cron ?? existing.cron;
        const timezone = params.timezone ?? existing.timezone;
        const problem = cronProblem(cron, timezone);
        if (problem) return { error: `alarm feed: ${problem}` };
        existing.job.stop();
        alarms.set(
          key,
          schedule({
            ...existing,
            cron,
            timezone,
            payload: params.trigger_payload ?? existing.payload,
            changed: Date.now(),
          }),
        );
        return { result: {} };
      }
      case 'DELETE': {
        if (!existing) return { error: `alarm feed: no alarm for trigger ${params.triggerName}` };
        existing.job.stop();
        alarms.delete(key);
        return { result: {} };
      }
      case 'PAUSE':
      case 'UNPAUSE': {
        if (!existing) return { error: `alarm feed: no alarm for trigger ${params.triggerName}` };
        existing.active = params.lifecycleEvent === 'UNPAUSE';
        existing.changed = Date.now();
        if (existing.active) existing.job.resume();
        else existing.job.pause();
        return { result: {} };
      }
    }
  }

  return {
    feed,
    /** Fires every active alarm now, as its schedule would; for tests that cannot wait. */
    fireAll(): number {
      let fired = 0;
      for (const alarm of alarms.values()) {
        if (!alarm.active) continue;
        fire(alarm.namespace, alarm.trigger, alarm.payload);
        fired += 1;
      }
      return fired;
    },
    list(): AlarmView[] {
      return [...alarms.values()].map((a) => ({
        trigger: `/${a.namespace}/${a.trigger}`,
        cron: a.cron,
        payload: a.payload,
        active: a.active,
      }));
    },
    stop() {
      for (const alarm of alarms.values()) alarm.job.stop();
      alarms.clear();
    },
  };
}

export type AlarmProvider = ReturnType<typeof createAlarmProvider>;

function cronProblem(cron: string, timezone: string | undefined): string | undefined {
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    return `cron must have 5 or 6 fields, got ${JSON.stringify(cron)}`;
  }
  try {
    new Cron(cron, { timezone: timezone ?? 'UTC', paused: true }).stop();
    return undefined;
  } catch (error) {
    return `cron ${JSON.stringify(cron)} is invalid: ${(error as Error).message}`;
  }
}
