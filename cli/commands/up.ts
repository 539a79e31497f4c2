import { resolve } from 'node:path';

import { InvalidArgumentError, type Command } from 'commander';

import { startLocalStack } from '../../deploy/local-stack.ts';
import { createLogger } from '../../lib/log.ts';
import { untilSignalled } from '../../lib/process/signals.ts';
import { readConfig, type GlobalOptions } from '../config-file.ts';

export function registerUpCommand(program: Command) {
  program
    .command('up')
    .description('start the whole pool on this machine, with stand-ins for cloud and Jenkins')
    .option('--rate <builds/s>', 'Zuul-like builds submitted per second (0: none)', rate, 0.5)
    .option('--builds <n>', 'stop submitting after this many builds', count)
    .option('--build-seconds <s>', 'how long each stand-in build runs', rate, 5)
    .option('--boot-seconds <s>', 'how long a stand-in server takes to boot', rate, 2)
    .option('--data-dir <dir>', 'where logs and service data go', 'var')
    .action(async (options: UpOptions) => {
      const global = program.opts<GlobalOptions>();
      const { config, warnings } = await readConfig(global);
      const log = createLogger({ name: 'whiskpool.up' });
      for (const warning of warnings) log.warn({ warning }, 'configuration warning');

      const stack = await startLocalStack({
        configPath: resolve(global.config),
        config,
        dataDir: resolve(options.dataDir),
        log,
        standIns: true,
        submitter: options.rate > 0 ? { rate: options.rate, builds: options.builds } : undefined,
        bootDelayMs: options.bootSeconds * 1000,
        buildDurationMs: options.buildSeconds * 1000,
      });
      process.stdout.write(
        'whiskpool is up. Watch it with `bin/whiskpool list`; logs are in ' +
          `${resolve(options.dataDir, 'logs')}. Ctrl-C stops everything.\n`,
      );

      await untilSignalled();
      process.stdout.write('stopping...\n');
      await stack.stop();
    });
}

interface UpOptions {
  rate: number;
  builds?: number;
  buildSeconds: number;
  bootSeconds: number;
  dataDir: string;
}

function rate(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) {
    throw new InvalidArgumentError(`must be a number of at least 0, got "${value}"`);
  }
  return number;
}

function count(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new InvalidArgumentError(`must be a positive integer, got "${value}"`);
  }
  return number;
}
