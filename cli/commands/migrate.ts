import type { Command } from 'commander';

import { migrationSource } from '../../migrations/index.ts';
import { migrateLatest, openDatabase } from '../../lib/db/connect.ts';
import { databaseUrlOf } from '../../lib/db/url.ts';
import { readConfig, type GlobalOptions } from '../config-file.ts';

/**
 * `migrate`: brings the database to the schema of this version. Run it before deploying new
 * actions; every migration only adds, so the running version keeps working meanwhile.
 */
export function registerMigrateCommand(program: Command) {
  program
    .command('migrate')
    .description('bring the database schema up to this version (run before deploy)')
    .option('--status', 'list applied and pending migrations, change nothing')
    .action(async (options: { status?: boolean }) => {
      const { config } = await readConfig(program.opts<GlobalOptions>());
      const db = openDatabase({ url: databaseUrlOf(config.database), poolMax: 1 });
      try {
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
