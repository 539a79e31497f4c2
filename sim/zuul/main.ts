/**
 * Runs the Zuul-like submitter as a process. Prints one JSON line `{"build": {...}}` on stdout
 * per finished build and `{"summary": {...}}` at the end; SIGTERM or SIGINT stops it, cancels
 * what has not finished and still prints the summary.
 */
import { Command, InvalidArgumentError } from 'commander';

import { createLogger } from '../../lib/log.ts';
import { loadCatalog, wikimediaNodepoolLabels } from '../catalog/index.ts';
import { runSubmitter } from './submitter.ts';

const program: Command = new Command('zuul-sim')
  .description('Submits Zuul v2 builds of real Wikimedia 2015 jobs to gearmand')
  .requiredOption('--gearman <host:port>', 'gearmand to submit to', endpoint)
  .option('--rate <builds-per-second>', 'builds started per second', positive, 1)
  .option('--builds <count>', 'how many builds, or "inf"', count, Number.POSITIVE_INFINITY)
  .option('--labels <labels>', 'node labels, comma separated (default: Wikimedia 2015 ones)')
  .option('--relaunch-lost <count>', 'submit a lost build again, up to N times', count, 0)
  .option('--log-level <level>', 'pino log level (default: $WHISKPOOL_LOG_LEVEL or info)');

program.parse();
const flags = program.opts<{
  gearman: { host: string; port: number };
  rate: number;
  builds: number;
  labels?: string;
  relaunchLost: number;
  logLevel?: string;
}>();

const log = createLogger({ name: 'sim.zuul', level: flags.logLevel });
const labels = flags.labels
  ? flags.labels.split(',').map((label) => label.trim()).filter((label) => label !== '')
  : wikimediaNodepoolLabels();
const catalog = loadCatalog({ labels });
if (catalog.length === 0) program.error(`no jobs for labels ${labels.join(', ')}`);

const submitter = runSubmitter({
  gearman: flags.gearman,
  catalog,
  rate: flags.rate,
  builds: flags.builds,
  log,
  relaunchLost: flags.relaunchLost,
  onBuild: (build) => print({ build }),
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'stopping');
    void submitter.stop();
  });
}

const report = await submitter.done;
const outcomes: Record<string, number> = {};
for (const build of report.builds) outcomes[build.outcome] = (outcomes[build.outcome] ?? 0) + 1;
print({ summary: { submitted: report.submitted, completed: report.completed, outcomes } });

function print(value: unknown) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function positive(value: string): number {
  const number = Number(value);
  if (!(number > 0) || !Number.isFinite(number)) {
    throw new InvalidArgumentError(`'${value}' is not a positive number`);
  }
  return number;
}

function count(value: string): number {
  if (value === 'inf' || value === 'Infinity') return Number.POSITIVE_INFINITY;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new InvalidArgumentError(`'${value}' is not a whole number or "inf"`);
  }
  return number;
}

function endpoint(value: string): { host: string; port: number } {
  const match = /^([^:]+):(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`'${value}' is not host:port`);
  return { host: match[1] ?? '', port: Number(match[2]) };
}
