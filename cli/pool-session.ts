import { readFile } from 'node:fs/promises';

import { connect } from '@nats-io/transport-node';

import { jenkinsClientFor, openStackClientFor } from '../lib/actions/clients.ts';
import type { CloudProvider } from '../lib/cloud/provider.ts';
import type { PoolConfig } from '../lib/config/index.ts';
import { openDatabase, type Database } from '../lib/db/connect.ts';
import { migrateLatest } from '../lib/db/migrate.ts';
import { databaseUrlOf } from '../lib/db/url.ts';
import type { FollowUp } from '../lib/events/messages.ts';
import type { JenkinsClient } from '../lib/jenkins/index.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { createPublisher } from '../lib/nats/publish.ts';
import type { PoolContext } from '../lib/pool/context.ts';
import { pacedCloud } from '../lib/pool/pacing.ts';
import { providerOf } from '../lib/pool/topology.ts';
import { runCommands } from '../lib/ssh/session.ts';
import { readConfig, type GlobalOptions } from './config-file.ts';

/** How long a command waits for NATS before it says the pool cannot be reached. */
const NATS_TIMEOUT_MS = 5000;

/**
 * What an operator's command works with: the configuration, the pool's database, and a pool
 * context whose cloud and Jenkins clients are built like the actions' (and paced with them,
 * since the pace is kept in the database).
 */
export interface PoolSession {
  config: PoolConfig;
  db: Database;
  log: Logger;
  context: PoolContext;
  /** Publishes messages into the pool's work queue, as a step's follow-ups are published. */
  publish(events: readonly FollowUp[]): Promise<void>;
  close(): Promise<void>;
}

export async function openPoolSession(config: PoolConfig, log: Logger): Promise<PoolSession> {
  const db = openDatabase({ url: databaseUrlOf(config.database) });
  try {
    await migrateLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const clouds = new Map<string, CloudProvider>();
  const jenkinses = new Map<string, JenkinsClient | null>();

  const context: PoolContext = {
    db,
    config,
    log,
    now: () => Date.now(),
    cloud(name) {
      let client = clouds.get(name);
      if (!client) {
        const rate = providerOf(config, name).rate;
        client = pacedCloud(openStackClientFor(config, name, log), db, rate);
        clouds.set(name, client);
      }
      return client;
    },
    jenkins(name) {
      if (!jenkinses.has(name)) jenkinses.set(name, jenkinsClientFor(config, name, log));
      return jenkinses.get(name) ?? null;
    },
    ssh: runCommands,
    readPrivateKey: (path) => readFile(path),
    targetOnline: async () => true,
  };

  return {
    config,
    db,
    log,
    context,
    async publish(events) {
      if (events.length === 0) return;
      const nc = await connect({
        servers: config.nats.url,
        name: 'whiskpool-cli',
        timeout: NATS_TIMEOUT_MS,
      });
      try {
        await createPublisher(nc).publishAll(events);
      } finally {
        await nc.close();
      }
    },
    close: () => db.destroy(),
  };
}

/** Runs `work` with a session on the configuration the global options name, then closes it. */
export async function withPoolSession<T>(
  options: GlobalOptions,
  work: (session: PoolSession) => Promise<T>,
): Promise<T> {
  const { config } = await readConfig(options);
  // Commands print their results on stdout; only warnings and worse go to stderr.
  const log = createLogger({ name: 'whiskpool', level: process.env.WHISKPOOL_LOG_LEVEL ?? 'warn' });
  const session = await openPoolSession(config, log);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
