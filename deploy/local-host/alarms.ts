import { Cron } from 'croner';

import type { Logger } from '../../lib/log.ts';
import type { ActionMain } from './server.ts';

export interface Alarm {
  /** For logs, e.g. `cleanup`. */
  name: string;
  /** Croner pattern: five fields, or six with seconds first. */
  cron: string;
  action: string;
  /** What the alarm's rule passes to the action, as an OpenWhisk trigger payload would. */
  params(): Record<string, unknown>;
}

/**
 * The embedded default's alarm triggers: on each tick the action runs as an OpenWhisk rule
 * would run it, with the package's default parameters under the trigger's payload. A tick
 * that finds the previous run of the same alarm still going is skipped.
 */
export function startAlarms(
  alarms: readonly Alarm[],
  actions: Record<string, ActionMain>,
  defaultParams: () => Record<string, unknown>,
  log: Logger,
) {
  const jobs = alarms.map((alarm) => {
    const main = actions[alarm.action];
    if (!main) throw new Error(`alarm ${alarm.name} names no action "${alarm.action}"`);

    return new Cron(alarm.cron, { protect: true, timezone: 'UTC' }, async () => {
      try {
        const result = await withTimeLimit(main({ ...defaultParams(), ...alarm.params() }));
        if (result.error) log.warn({ alarm: alarm.name, error: result.error }, 'alarm run failed');
      } catch (error) {
        log.error({ alarm: alarm.name, err: error }, 'alarm run threw');
      }
    });
  });

  return {
    stop() {
      for (const job of jobs) job.stop();
    },
  };
}

/**
 * OpenWhisk ends an activation at its time limit; so does this host, or one run that never
 * returned would hold its alarm for ever (a tick is skipped while the last run is going).
 */
const ALARM_TIME_LIMIT_MS = 120_000;

function withTimeLimit<T>(run: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ALARM_TIME_LIMIT_MS / 1000} s`)),
      ALARM_TIME_LIMIT_MS,
    );
  });
  return Promise.race([run, limit]).finally(() => clearTimeout(timer));
}
