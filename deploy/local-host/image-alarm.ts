import type { ActionSettings } from '../../lib/actions/settings.ts';
import { ActionName, Subject } from '../../lib/events/subjects.ts';
import type { Alarm } from './alarms.ts';

/**
 * The `image-update` cron as an alarm: each tick invokes image-refresh once, which asks for a
 * refresh of every in-use image of every provider (Nodepool's daily snapshot update). On
 * OpenWhisk the same payload comes from an alarm trigger's rule.
 */
export function imageUpdateAlarm(settings: ActionSettings): Alarm {
  return {
    name: 'image-update',
    cron: settings.config.cron.imageUpdate,
    action: ActionName.ImageRefresh,
    params: () => ({
      subject: Subject.ImageRefresh,
      event: { all: true, reason: 'cron', at: Date.now() },
    }),
  };
}
