import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ACTIONS } from '../../functions/index.ts';
import { closeResources } from '../../lib/actions/resources.ts';
import type { ActionResult } from '../../lib/actions/result.ts';
import type { ActionSettings } from '../../lib/actions/settings.ts';
import { createLogger } from '../../lib/log.ts';
import { connectNats } from '../../lib/nats/connect.ts';
import { ensureStreams } from '../../lib/nats/streams.ts';
import { announceReady, untilSignalled } from '../../lib/process/signals.ts';
import { Subject } from '../../lib/events/subjects.ts';
import { buildBundles, readBundles } from '../bundle.ts';
import { startAlarms } from './alarms.ts';
import { imageUpdateAlarm } from './image-alarm.ts';
import { liveSettings, type SettingsReload } from './live-settings.ts';
import { inProcessRunner, proxyRunner, type ActionMain, type ActionRunner } from './runners.ts';
import { startLocalHost } from './server.ts';

export interface LocalHostRun {
  port: number;
  apiKey: string;
  /** The settings carry the configuration as read at start. */
  settings: ActionSettings;
  /** Where a changed configuration comes from; without it the first one stays. */
  reload?: SettingsReload;
  /**
   * `in-process` (the quick default) calls each action's `main` here; `proxy` runs each
   * action's bundle in containers through OpenWhisk's action-proxy protocol.
   */
  mode?: 'in-process' | 'proxy';
  /** Prebuilt bundles for the proxy mode; built afresh into a temporary directory if absent. */
  bundleDir?: string;
}

/** The embedded default's action host: every action behind OpenWhisk's invoke API. */
export async function runLocalHost(options: LocalHostRun) {
  const log = createLogger({ name: 'action-host' });
  const { settings } = options;
  const live = liveSettings(settings, options.reload, log);
  const runner = await createRunner(options);

  const host = await startLocalHost({
    runner,
    apiKey: options.apiKey,
    defaultParams: () => ({ whiskpool: live.current() }),
    log,
    port: options.port,
  });
  const defaultParams = () => ({ whiskpool: live.current() });

  // An alarm's follow-ups go to the work stream; made here, none is lost when an alarm
  // fires before the dispatcher, which also makes it, has started.
  const nc = await connectNats(settings.natsUrl, 'whiskpool-action-host');
  await ensureStreams(nc).finally(() => nc.close());

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
      imageUpdateAlarm(settings),
    ],
    runnerMains(runner),
    defaultParams,
    log,
  );
  log.info({ url: host.url, actions: runner.names(), mode: runner.mode }, 'action host up');
  announceReady({ host: host.url });

  await untilSignalled();
  live.stop();
  alarms.stop();
  await host.close();
  await runner.close();
  await closeResources();
}

async function createRunner(options: LocalHostRun): Promise<ActionRunner> {
  if (options.mode !== 'proxy') return inProcessRunner(ACTIONS);

  const actions = Object.keys(ACTIONS);
  if (options.bundleDir) {
    const bundles = await readBundles(options.bundleDir, actions);
    return proxyRunner({ bundles, namespace: '_', output: process.stderr });
  }

  const outDir = mkdtempSync(join(tmpdir(), 'whiskpool-bundles-'));
  const runner = proxyRunner({
    bundles: await buildBundles({ actions, outDir }),
    namespace: '_',
    output: process.stderr,
  });
  return {
    ...runner,
    async close() {
      await runner.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Each action as a plain `main`, for the alarms, whichever way the host runs them. */
function runnerMains(runner: ActionRunner): Record<string, ActionMain> {
  const mains: Record<string, ActionMain> = {};
  for (const name of runner.names()) {
    mains[name] = async (params) => {
      const outcome = await runner.run(name, params, randomBytes(16).toString('hex'));
      return outcome.result as ActionResult;
    };
  }
  return mains;
}
