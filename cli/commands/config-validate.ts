import type { Command } from 'commander';

import { ConfigInvalidError } from '../../lib/config/index.ts';
import { readConfig, type GlobalOptions } from '../config-file.ts';
import { missingLocalFiles } from '../local-files.ts';

export interface Validation {
  valid: boolean;
  /** One line per problem: the key path and the reason. */
  problems: string[];
  warnings: string[];
}

/**
 * `config-validate`: reads the configuration as the pool would and reports every problem,
 * one per line, without starting anything. Exit status 0 when the pool would accept it.
 */
export function registerConfigValidateCommand(program: Command) {
  program
    .command('config-validate')
    .description('check the configuration file and report each problem on its own line')
    .option('--json', 'print JSON instead of lines')
    .action(async (options: { json?: boolean }) => {
      const validation = await validateConfig(program.opts<GlobalOptions>());
      const output = formatValidation(validation, options.json === true);
      if (output !== '') process.stdout.write(`${output}\n`);
      if (!validation.valid) process.exitCode = 1;
    });
}

export async function validateConfig(options: GlobalOptions): Promise<Validation> {
  try {
    const { config, warnings } = await readConfig(options);
    const missing = await missingLocalFiles(config);
    return { valid: true, problems: [], warnings: [...warnings, ...missing] };
  } catch (error) {
    if (!(error instanceof ConfigInvalidError)) throw error;
    return { valid: false, problems: error.problems, warnings: [] };
  }
}

/** Problems as they are, warnings prefixed: `grep -v '^warning: '` leaves the problems. */
export function formatValidation(validation: Validation, json: boolean): string {
  if (json) return JSON.stringify(validation, null, 2);
  return [
    ...validation.problems,
    ...validation.warnings.map((warning) => `warning: ${warning}`),
  ].join('\n');
}
