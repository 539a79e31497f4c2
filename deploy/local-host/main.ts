import { ACTIONS } from '../../functions/index.ts';
import { closeResources } from '../../lib/actions/resources.ts';
import type { ActionSettings } from '../../lib/actions/settings.ts';
import { createLogger } from '../../lib/log.ts';
import { announceReady, untilSignalled } from '../../lib/process/signals.ts';
import { Subject } from '../../lib/events/subjects.ts';
import { startAlarms } from './alarms.ts';
import { liveSettings, type SettingsReload } from './live-settings.ts';
import { startLocalHost } from './server.ts';

export interface LocalHostRun {
  port: number;
  apiKey: string;
  /** The settings carry the configuration as read at start. */
  settings: ActionSettings;
  /** Where a changed configuration comes from; without it the first one stays. */
  reload?: SettingsReload;
}

/** The embedded default's action host: every action, in this process, behind OpenWhisk's API. */
export async function runLocalHost(options: LocalHostRun) {
  const log = createLogger({ name: 'action-host' });
  const { settings } = options;
  const live = liveSettings(settings, options.reload, log);

  const host = await startLocalHost({
    actions: ACTIONS,
    apiKey: options.apiKey,
    defaultParams: () => ({ whiskpool: live.current() }),
    log,
    port: options.port,
  });
  const defaultParams = () => ({ whiskpool: live.current() });
  const alarms = startAlarms(
    [
      {
        name: 'cleanup',
        cron: settings.config.cron.cleanup,
        action: 'reconcile',
        params: () => ({
          subject: Subject.Sweep,
          event: { reason: 'cron cleanup', at: Date.now() },
        }),
      },
    ],
    ACTIONS,
    defaultParams,
    log,
  );
  log.info({ url: host.url, actions: Object.keys(ACTIONS) }, 'action host up');
  announceReady({ host: host.url });

  await untilSignalled();
  live.stop();
  alarms.stop();
  await host.close();
  await closeResources();
}
