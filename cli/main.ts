import { Command, CommanderError } from 'commander';

import type { Registrar } from './commands/registrar.ts';
import { DEFAULT_CONFIG } from './config-file.ts';

const program = new Command('whiskpool')
  .description('Single-use build machines on OpenStack for Zuul and Jenkins')
  .option('-c, --config <file>', 'nodepool.yaml to read', DEFAULT_CONFIG)
  .option('-s, --secure <file>', 'secure.conf holding the database URL and Jenkins keys')
  .showHelpAfterError()
  .exitOverride();

/**
 * Each module's commands, in the order help lists them. A process that runs one command loads
 * only that module: the stack's long-running processes start in about half the time.
 */
const COMMANDS: [names: string[], load: () => Promise<Registrar>][] = [
  [['up'], async () => (await import('./commands/up.ts')).registerUpCommand],
  [['list'], async () => (await import('./commands/list.ts')).registerListCommand],
  [['label-list'], async () => (await import('./commands/label-list.ts')).registerLabelListCommand],
  [['hold'], async () => (await import('./commands/hold.ts')).registerHoldCommand],
  [['delete'], async () => (await import('./commands/delete.ts')).registerDeleteCommand],
  [['alien-list'], async () => (await import('./commands/alien-list.ts')).registerAlienListCommand],
  [
    ['alien-image-list'],
    async () => (await import('./commands/alien-image-list.ts')).registerAlienImageListCommand,
  ],
  [
    ['config-validate'],
    async () => (await import('./commands/config-validate.ts')).registerConfigValidateCommand,
  ],
  [
    ['image-list', 'image-update'],
    async () => (await import('./commands/images.ts')).registerImageCommands,
  ],
  [['bridge', 'host'], async () => (await import('./commands/bridges.ts')).registerBridgeCommands],
  [['migrate'], async () => (await import('./commands/migrate.ts')).registerMigrateCommand],
  [
    ['deploy', 'undeploy', 'manifest'],
    async () => (await import('./commands/deploy.ts')).registerDeployCommands,
  ],
];

const wanted = commandOf(process.argv.slice(2));
const known = COMMANDS.some(([names]) => wanted !== undefined && names.includes(wanted));
for (const [names, load] of COMMANDS) {
  // Help, and a command no module has, need them all: to list them, or to say what is wrong.
  if (!known || names.includes(wanted ?? '')) (await load())(program);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  // A configuration's problems are part of the message, one line each.
  let message = error instanceof Error ? error.message : String(error);
  if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
    message = 'the database stayed locked by another process for 10 s; try again';
  }
  process.stderr.write(`whiskpool: ${message}\n`);
  process.exit(1);
}

/** The command named on the command line: the first word that is no option nor its value. */
function commandOf(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '--config' || arg === '-s' || arg === '--secure') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}
