import { setTimeout as sleep } from 'node:timers/promises';

import { migrationSource } from '../../migrations/index.ts';
import { ErrorCode, WhiskpoolError } from '../errors.ts';
import type { Database } from './connect.ts';

export interface MigrateOptions {
  /** How long to wait for another process that is migrating the same database. */
  lockWaitMs?: number;
}

const LOCK_WAIT_MS = 60_000;
const LOCK_POLL_MS = 100;

/**
 * Brings the schema up to this version. On a fresh database every process of the stack (the
 * CLI, the action host, each action container) starts by migrating at once; Knex lets one take
 * its lock and refuses the others. Those wait for the first to finish instead of failing.
 */
export async function migrateLatest(db: Database, options: MigrateOptions = {}): Promise<void> {
  const lockWaitMs = options.lockWaitMs ?? LOCK_WAIT_MS;
  const deadline = Date.now() + lockWaitMs;

  for (;;) {
    try {
      // Reading what is pending takes no lock: a database already up to date costs a query.
      if ((await pendingMigrations(db)).length === 0) return;
      await db.migrate.latest({ migrationSource });
      return;
    } catch (error) {
      if (!isRaceWithAnother(error)) throw error;
    }

    if (Date.now() >= deadline) {
      throw new WhiskpoolError(
        ErrorCode.MigrationLocked,
        `the database's migration lock stayed taken for ${lockWaitMs / 1000} s; if no other ` +
          `whiskpool process is migrating, release it with "bin/whiskpool migrate --unlock"`,
      );
    }
    await sleep(LOCK_POLL_MS);
  }
}

export async function migrateDown(db: Database): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}

/** Names of the migrations this version has and the database has not applied. */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], string[]];
  return pending;
}

/** Releases a lock left by a process that died while migrating. */
export async function releaseMigrationLock(db: Database): Promise<void> {
  await db.migrate.forceFreeMigrationsLock({ migrationSource });
}

/**
 * Knex creates its own bookkeeping tables after checking they are missing, so two processes
 * on a fresh database can both try; the loser's "already exists" means the same as the lock.
 */
function isRaceWithAnother(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MigrationLocked') return true;
  return /knex_migrations(_lock)?\W+already exists/.test(error.message);
}
