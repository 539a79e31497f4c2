/**
 * `npm run bench [-- --quick]`: the local stack against the stand-ins at zero boot delay,
 * on SQLite and, when mariadbd is installed, on a private MariaDB. Prints a table and writes
 * bench/results.json. A benchmark, not a test: it reports figures and asserts none.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Command, InvalidArgumentError } from 'commander';

import { createLogger } from '../lib/log.ts';
import { mariadbSkip, startTestMariaDb, type TestMariaDb } from '../test/support/mariadb.ts';
import { measureActions, type ActionsReport } from './actions.ts';
import { measureKnexFloor, measureNatsFloor, type NatsFloor } from './floor.ts';
import { describeMachine } from './machine.ts';
import { cpuPressure, loadAverage } from './processes.ts';
import {
  actionFigures,
  keyFigures,
  type BenchSettings,
  type DatabaseFigures,
  type KeyFigures,
} from './report.ts';
import { runStack, type DatabaseKind, type StackRunOptions } from './stack-run.ts';
import { printReport } from './print.ts';

const program = new Command('bench')
  .description('Throughput, latency, footprint and action start-up of the local stack')
  .option('--quick', '200 builds and fewer samples, in under two minutes')
  .option('--builds <n>', 'builds of each throughput phase (default 2000, quick 200)', count)
  .option('--probes <n>', 'builds of the demand -> create phase (default 100, quick 10)', count)
  .option('--rate <per-second>', 'rate the throughput builds are offered at', count, 200)
  .option('--gearman-poll-ms <ms>', "the Gearman bridge's poll interval", count, 250)
  .option('--build-ms <ms>', 'how long each build runs on the Jenkins stand-in', count, 0)
  .option('--databases <kinds>', 'sqlite,mariadb (MariaDB only where mariadbd is installed)')
  .option('--out <file>', 'where to write the results', defaultOut())
  .option('--keep', "keep each run's directory (configuration, logs, database)");

program.parse();
const flags = program.opts<{
  quick?: boolean;
  builds?: number;
  probes?: number;
  rate: number;
  gearmanPollMs: number;
  buildMs: number;
  databases?: string;
  out: string;
  keep?: boolean;
}>();

const quick = flags.quick === true;
const settings: BenchSettings = {
  quick,
  builds: flags.builds ?? (quick ? 200 : 2000),
  probes: flags.probes ?? (quick ? 10 : 100),
  submitRate: flags.rate,
  // Submissions 1.4 poll intervals apart land at every phase of the poll, never in step.
  probeRate: round3(1000 / (flags.gearmanPollMs * 1.4)),
  gearmanPollMs: flags.gearmanPollMs,
  buildDurationMs: flags.buildMs,
  probeBuildDurationMs: Math.max(flags.buildMs, flags.gearmanPollMs * 4),
};
const log = createLogger({ name: 'bench', level: process.env.WHISKPOOL_LOG_LEVEL ?? 'warn' });
const started = Date.now();
const say = (message: string) => {
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stderr.write(`bench: ${String(seconds).padStart(4)} s  ${message}\n`);
};

const before = { loadAverage: loadAverage(), cpuPressure: cpuPressure() };
const kinds = databaseKinds(flags.databases);
const figures: Partial<Record<DatabaseKind, DatabaseFigures>> = {};
const skipped: Record<string, string> = {};
let actions: ActionsReport | null = null;

for (const kind of kinds.run) {
  say(`${kind}: starting`);
  const mariadb: TestMariaDb | undefined =
    kind === 'mariadb' ? await startTestMariaDb() : undefined;
  try {
    let nats: NatsFloor | null = null;
    const common: Omit<StackRunOptions, 'maxServers' | 'probes'> = {
      database: kind,
      mariadb,
      builds: settings.builds,
      submitRate: settings.submitRate,
      probeRate: settings.probeRate,
      gearmanPollMs: settings.gearmanPollMs,
      buildDurationMs: settings.buildDurationMs,
      log,
      keep: flags.keep === true,
      progress: (step) => say(`${kind}:   ${step}`),
    };

    say(`${kind}: max-servers 50, ${settings.builds} builds`);
    const run50 = await runStack({
      ...common,
      maxServers: 50,
      probes: 0,
      async whileUp(stack) {
        say(`${kind}: NATS JetStream round trips`);
        nats = await measureNatsFloor({
          url: stack.settings.natsUrl,
          messages: quick ? 500 : 5000,
          concurrency: 32,
        });
        if (kind !== 'sqlite' || stack.deletedNodeId === null) return;
        say('actions: cold and warm starts through the action-proxy protocol');
        actions = await measureActions({
          settings: stack.settings,
          deletedNodeId: stack.deletedNodeId,
          warmRuns: quick ? 5 : 20,
        });
      },
    });

    say(`${kind}: max-servers 1000, ${settings.probes} probes, ${settings.builds} builds`);
    const run1000 = await runStack({
      ...common,
      maxServers: 1000,
      probes: settings.probes,
      buildDurationMs: settings.probeBuildDurationMs,
    });

    say(`${kind}: the Knex floor`);
    const floor = await knexFloor(mariadb, settings.builds);
    figures[kind] = { run50, run1000, floor, nats };
  } finally {
    await mariadb?.stop();
  }
}
for (const [kind, reason] of Object.entries(kinds.skipped)) skipped[kind] = reason;

const sqlite = figures.sqlite ? keyFigures(figures.sqlite, settings) : null;
const results = {
  generated_at: new Date().toISOString(),
  seconds: Math.round((Date.now() - started) / 1000),
  machine: describeMachine(),
  load: {
    before,
    after: { loadAverage: loadAverage(), cpuPressure: cpuPressure() },
  },
  settings: { ...settings, bootDelayMs: 0, minReadyPerLabel: 2, labels: 2 },
  ...(sqlite ?? {}),
  ...actionFigures(actions),
  databases: Object.fromEntries(
    Object.entries(figures).map(([kind, value]) => [
      kind,
      { ...keyFigures(value, settings), detail: value },
    ]),
  ) as Record<string, KeyFigures & { detail: DatabaseFigures }>,
  skipped,
  actions,
};

writeFileSync(flags.out, `${JSON.stringify(results, null, 2)}\n`);
printReport(results);
say(`results written to ${flags.out} (${results.seconds} s)`);

async function knexFloor(mariadb: TestMariaDb | undefined, builds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-bench-floor-'));
  try {
    const databaseUrl = mariadb
      ? await mariadb.createDatabase()
      : `sqlite:${join(dir, 'floor.sqlite')}`;
    // As the local host opens it: one pool of two connections shared by every action.
    return await measureKnexFloor({ databaseUrl, lifecycles: builds, concurrency: 32, poolMax: 2 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function databaseKinds(option: string | undefined) {
  const wanted = (option ?? 'sqlite,mariadb').split(',').map((kind) => kind.trim());
  const run: DatabaseKind[] = [];
  const skippedKinds: Record<string, string> = {};
  for (const kind of wanted) {
    if (kind === 'sqlite') run.push('sqlite');
    else if (kind === 'mariadb') {
      const reason = mariadbSkip();
      if (reason) skippedKinds.mariadb = reason;
      else run.push('mariadb');
    } else program.error(`unknown database kind '${kind}' (sqlite or mariadb)`);
  }
  return { run, skipped: skippedKinds };
}

function defaultOut() {
  return fileURLToPath(new URL('./results.json', import.meta.url));
}

function count(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new InvalidArgumentError(`'${value}' is not a whole number`);
  }
  return number;
}

function round3(value: number) {
  return Math.round(value * 1000) / 1000;
}
