import type { ActionSettings } from '../../lib/actions/settings.ts';
import type { LoadedConfig } from '../../lib/config/index.ts';
import { watchConfig, type ConfigSource } from '../../lib/config/watch.ts';
import type { Logger } from '../../lib/log.ts';

/** Where the action host gets a changed configuration, and how it becomes action settings. */
export interface SettingsReload {
  source: ConfigSource;
  settingsOf(loaded: LoadedConfig): ActionSettings;
}

export interface LiveSettings {
  /** The settings every invocation gets now. */
  current(): ActionSettings;
  stop(): void;
}

/**
 * The action host's settings, swapped whole when the configuration file changes. OpenWhisk
 * would take new package parameters the same way; an action sees the new `configVersion` on
 * its next invocation and rebuilds its clients, while invocations already running finish on
 * the settings they started with.
 */
export function liveSettings(
  initial: ActionSettings,
  reload: SettingsReload | undefined,
  log: Logger,
): LiveSettings {
  let settings = initial;
  const watch = reload
    ? watchConfig(reload.source, {
        log,
        current: initial.config,
        onChange(loaded) {
          settings = reload.settingsOf(loaded);
          log.info({ configVersion: settings.configVersion }, 'actions get the new configuration');
        },
      })
    : undefined;

  return {
    current: () => settings,
    stop: () => watch?.stop(),
  };
}
