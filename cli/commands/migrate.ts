import type { Command } from 'commander';

import { migrationSource } from '../../migrations/index.ts';
import { openDatabase } from '../../lib/db/connect.ts';
import { migrateLatest, releaseMigrationLock } from '../../lib/db/migrate.ts';
import { databaseUrlOf } from '../../lib/db/url.ts';
import { readConfig, type GlobalOptions } from '../config-file.ts';

interface MigrateOptions {
  status?: boolean;
  unlock?: boolean;
}

/**
 * `migrate`: brings the database to the schema of this version. Run it before deploying new
 * actions; every migration only adds, so the running version keeps working meanwhile.
 */
export function registerMigrateCommand(program: Command) {
  program
    .command('migrate')
    .description('bring the database schema up to this version (run before deploy)')
    .option('--status', 'list applied and pending migrations, change nothing')
    .option('--unlock', 'release a migration lock left by a process that died, then migrate')
    .action(async (options: MigrateOptions) => {
      const { config } = await readConfig(program.opts<GlobalOptions>());
      const db = openDatabase({ url: databaseUrlOf(config.database), poolMax: 1 });
      try {
        if (options.unlock && !options.status) await releaseMigrationLock(db);
        if (!options.status) await migrateLatest(db);
        // Applied ones come back as rows, pending ones as the source's names.
        const [done, pending] = (await db.migrate.list({ migrationSource })) as [
          { name: string }[],
          string[],
        ];
        const lines = [
          ...done.map((m) => `applied  ${m.name}`),
          ...pending.map((name) => `pending  ${name}`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await db.destroy();
      }
    });
}
