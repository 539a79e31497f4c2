import { readFile } from 'node:fs/promises';

import { withLookupCache } from '../cloud/lookup-cache.ts';
import type { CloudProvider } from '../cloud/provider.ts';
import { openDatabase, type Database } from '../db/connect.ts';
import { migrateLatest } from '../db/migrate.ts';
import { readScripts } from '../image/scripts.ts';
import type { JenkinsClient } from '../jenkins/index.ts';
import { createLogger, type Logger } from '../log.ts';
import { metricsFromEnv } from '../metrics/index.ts';
import { connectNats, type NatsConnection } from '../nats/connect.ts';
import { createPublisher, type Publisher } from '../nats/publish.ts';
import { runCommands } from '../ssh/session.ts';
import type { PoolContext } from '../pool/context.ts';
import { pacedCloud } from '../pool/pacing.ts';
import { providerOf } from '../pool/topology.ts';
import { carriedPrivateKey, carriedScripts } from './carried-files.ts';
import { jenkinsClientFor, openStackClientFor } from './clients.ts';
import type { ActionSettings } from './settings.ts';

/** How long a Jenkins master's quieting-down flag is trusted before it is asked again. */
const TARGET_STATE_TTL_MS = 10_000;

/**
 * Connections and clients a warm action container keeps between invocations. Rebuilt when the
 * configuration, database or NATS server changes; never holds pool state.
 */
export interface Resources {
  key: string;
  db: Database;
  nc: NatsConnection;
  publisher: Publisher;
  log: Logger;
  context(log: Logger): PoolContext;
  close(): Promise<void>;
}

let warm: Promise<Resources> | undefined;
let warmKey = '';

export async function resourcesFor(settings: ActionSettings, name: string): Promise<Resources> {
  const key = `${settings.configVersion}|${settings.databaseUrl}|${settings.natsUrl}`;
  if (warm && warmKey === key) return warm;

  const previous = warm;
  warmKey = key;
  warm = build(settings, key, name);
  if (previous) void previous.then((r) => r.close()).catch(() => undefined);
  try {
    return await warm;
  } catch (error) {
    warm = undefined;
    warmKey = '';
    throw error;
  }
}

async function build(settings: ActionSettings, key: string, name: string): Promise<Resources> {
  // Actions log synchronously: OpenWhisk ends an activation's log at its end marker.
  const log = createLogger({ name: 'action', level: settings.logLevel, sync: true });
  const db = openDatabase({ url: settings.databaseUrl, poolMax: 2 });
  await migrateLatest(db);
  const nc = await connectNats(settings.natsUrl, `whiskpool-action-${name}`);
  const publisher = createPublisher(nc);
  const metrics = metricsFromEnv(process.env, log);

  const clouds = new Map<string, CloudProvider>();
  const jenkinses = new Map<string, JenkinsClient | null>();
  const keys = new Map<string, Promise<Buffer>>();
  const targetState = new Map<string, { online: boolean; at: number }>();
  const { config } = settings;

  function cloud(providerName: string): CloudProvider {
    let client = clouds.get(providerName);
    if (!client) {
      const provider = providerOf(config, providerName);
      client = openStackClientFor(config, providerName, log, (operation, ms) =>
        metrics.apiCall(providerName, operation, ms),
      );
      client = withLookupCache(pacedCloud(client, db, provider.rate));
      clouds.set(providerName, client);
    }
    return client;
  }

  function jenkins(targetName: string): JenkinsClient | null {
    if (!jenkinses.has(targetName)) {
      const client = jenkinsClientFor(config, targetName, log, (operation, ms) =>
        metrics.apiCall(targetName, operation, ms),
      );
      jenkinses.set(targetName, client);
    }
    return jenkinses.get(targetName) ?? null;
  }

  async function targetOnline(targetName: string): Promise<boolean> {
    const client = jenkins(targetName);
    if (!client) return true;
    const cached = targetState.get(targetName);
    if (cached && Date.now() - cached.at < TARGET_STATE_TTL_MS) return cached.online;
    try {
      const info = await client.getInfo();
      targetState.set(targetName, { online: !info.quietingDown, at: Date.now() });
      return !info.quietingDown;
    } catch (error) {
      // A Jenkins that does not answer gets no new nodes until it does.
      log.warn({ target: targetName, err: (error as Error).message }, 'target unreachable');
      targetState.set(targetName, { online: false, at: Date.now() });
      return false;
    }
  }

  return {
    key,
    db,
    nc,
    publisher,
    log,
    context(invocationLog) {
      return {
        db,
        config,
        log: invocationLog,
        now: () => Date.now(),
        cloud,
        jenkins,
        ssh: runCommands,
        readPrivateKey(path) {
          const carried = carriedPrivateKey(settings.files, path);
          if (carried) return Promise.resolve(carried);
          let pending = keys.get(path);
          if (!pending) {
            pending = readFile(path);
            keys.set(path, pending);
            pending.catch(() => keys.delete(path));
          }
          return pending;
        },
        async readScripts(scriptDir) {
          return carriedScripts(settings.files) ?? readScripts(scriptDir);
        },
        targetOnline,
        metrics,
      };
    },
    async close() {
      await nc.drain().catch(() => undefined);
      await db.destroy();
      await metrics.close();
    },
  };
}

/** Closes the warm resources, for hosts that run actions in their own process. */
export async function closeResources() {
  const current = warm;
  warm = undefined;
  warmKey = '';
  if (current) await (await current).close();
}
