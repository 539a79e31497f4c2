/**
 * `npm run chaos -- [--builds N] [--database sqlite|mariadb] [--kill-every S]`: builds on the
 * local stack while its parts are killed; prints the counts as its last line and exits
 * non-zero unless every build completed and nothing was reused, leaked, orphaned, illegal or
 * over quota.
 */
import { Command, InvalidArgumentError } from 'commander';

import { createLogger } from '../lib/log.ts';
import { startTestMariaDb, type TestMariaDb } from '../test/support/mariadb.ts';
import { chaosPassed, formatChaos, runChaos } from './chaos.ts';

const program = new Command('chaos')
  .option('--builds <n>', 'builds to run', whole, 500)
  .option('--database <kind>', 'sqlite or mariadb', 'sqlite')
  .option('--kill-every <seconds>', 'mean seconds between kills', whole, 6)
  .parse();
const flags = program.opts<{ builds: number; database: string; killEvery: number }>();
if (!['sqlite', 'mariadb'].includes(flags.database)) {
  program.error(`--database must be sqlite or mariadb, got "${flags.database}"`);
}

const log = createLogger({ name: 'chaos' });
let mariadb: TestMariaDb | undefined;
try {
  if (flags.database === 'mariadb') mariadb = await startTestMariaDb();
  const result = await runChaos({
    builds: flags.builds,
    databaseUrl: await mariadb?.createDatabase(),
    killEverySeconds: flags.killEvery,
    log,
  });
  log.info({ kills: result.kills }, 'chaos: done');
  process.stdout.write(`${formatChaos(result)}\n`);
  process.exitCode = chaosPassed(result) ? 0 : 1;
} finally {
  await mariadb?.stop();
}

function whole(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new InvalidArgumentError(`'${value}' is not a positive whole number`);
  }
  return number;
}
