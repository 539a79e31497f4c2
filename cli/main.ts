import { Command, CommanderError } from 'commander';

import { registerAlienImageListCommand } from './commands/alien-image-list.ts';
import { registerAlienListCommand } from './commands/alien-list.ts';
import { registerBridgeCommands } from './commands/bridges.ts';
import { registerConfigValidateCommand } from './commands/config-validate.ts';
import { registerDeleteCommand } from './commands/delete.ts';
import { registerDeployCommands } from './commands/deploy.ts';
import { registerHoldCommand } from './commands/hold.ts';
import { registerImageCommands } from './commands/images.ts';
import { registerLabelListCommand } from './commands/label-list.ts';
import { registerListCommand } from './commands/list.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerUpCommand } from './commands/up.ts';
import { DEFAULT_CONFIG } from './config-file.ts';

const program = new Command('whiskpool')
  .description('Single-use build machines on OpenStack for Zuul and Jenkins')
  .option('-c, --config <file>', 'nodepool.yaml to read', DEFAULT_CONFIG)
  .option('-s, --secure <file>', 'secure.conf holding the database URL and Jenkins keys')
  .showHelpAfterError()
  .exitOverride();

registerUpCommand(program);
registerListCommand(program);
registerLabelListCommand(program);
registerHoldCommand(program);
registerDeleteCommand(program);
registerAlienListCommand(program);
registerAlienImageListCommand(program);
registerConfigValidateCommand(program);
registerImageCommands(program);
registerBridgeCommands(program);
registerMigrateCommand(program);
registerDeployCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  const message = error instanceof Error ? error.message : String(error);
  const problems = (error as { problems?: string[] }).problems;
  process.stderr.write(`whiskpool: ${message}\n`);
  if (problems) for (const problem of problems) process.stderr.write(`  ${problem}\n`);
  process.exit(1);
}
