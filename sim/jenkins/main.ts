/**
 * Runs the Jenkins stand-in as a process. Prints one JSON line `{"listening": {...}}` on stdout
 * once REST and ZMQ are up; stops on SIGTERM or SIGINT. The API key is read from the
 * environment so that it does not show in the process list.
 */
import { Command, InvalidArgumentError } from 'commander';

import { createLogger } from '../../lib/log.ts';
import { loadCatalog } from '../catalog/index.ts';
import { parseJobList, type CatalogEntry } from './catalog.ts';
import { startJenkinsSim } from './index.ts';

const API_KEY_VARIABLE = 'JENKINS_SIM_API_KEY';

const program: Command = new Command('jenkins-sim')
  .description('A stand-in for Jenkins: REST, ZMQ events and Gearman executors on 127.0.0.1')
  .option('--user <name>', 'user every REST request must authenticate as', 'whiskpool')
  .option('--port <port>', 'REST port (default: a free one)', integer)
  .option('--zmq-port <port>', 'ZMQ event publisher port (default: a free one)', integer)
  .option('--gearman <host:port>', 'gearmand the executor workers connect to', endpoint)
  .option('--labels <labels>', 'labels whose real Wikimedia jobs Jenkins has: a,b')
  .option('--jobs <list>', 'jobs and their label: job=label,job2=label2')
  .option('--build-duration-ms <ms>', 'how long each build runs', integer, 5000)
  .option('--failure-rate <share>', 'share of builds ending FAILURE, 0..1', share, 0)
  .option('--master-name <name>', "the master's host name", 'jenkins-sim')
  .option('--launch-attempts <n>', 'tries to reach a machine before giving up', integer)
  .option('--launch-retry-ms <ms>', 'pause between those tries', integer)
  .option('--launch-without-connecting',
    'bring agents online without reaching their machine (for machines with no address)')
  .option('--log-level <level>', 'pino log level', 'info');

program.parse();
const flags = program.opts<{
  user: string;
  port?: number;
  zmqPort?: number;
  gearman?: { host: string; port: number };
  labels?: string;
  jobs?: string;
  buildDurationMs: number;
  failureRate: number;
  masterName: string;
  launchAttempts?: number;
  launchRetryMs?: number;
  launchWithoutConnecting?: boolean;
  logLevel: string;
}>();

const log = createLogger({ name: 'sim.jenkins', level: flags.logLevel });
const apiKey = process.env[API_KEY_VARIABLE];
if (!apiKey) program.error(`the API key must be given in the environment as ${API_KEY_VARIABLE}`);

const sim = await startJenkinsSim({
  user: flags.user,
  apiKey,
  port: flags.port,
  zmqPort: flags.zmqPort,
  gearman: flags.gearman,
  catalog: await catalog(),
  buildDurationMs: flags.buildDurationMs,
  failureRate: flags.failureRate,
  masterName: flags.masterName,
  launch: {
    ...(flags.launchAttempts === undefined ? {} : { attempts: flags.launchAttempts }),
    ...(flags.launchRetryMs === undefined ? {} : { retryDelayMs: flags.launchRetryMs }),
    ...(flags.launchWithoutConnecting ? { connect: false } : {}),
  },
  log,
});

const gearman = flags.gearman ? `${flags.gearman.host}:${flags.gearman.port}` : null;
process.stdout.write(
  JSON.stringify({
    listening: { url: sim.url, zmqUrl: sim.zmqUrl, gearman, masterName: flags.masterName },
  }) + '\n',
);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    void sim.close().then(() => process.exit(0));
  });
}

async function catalog(): Promise<CatalogEntry[]> {
  if (flags.jobs && flags.labels) program.error('give either --jobs or --labels, not both');
  if (flags.jobs) return parseJobList(flags.jobs);
  if (flags.labels) {
    const labels = flags.labels.split(',').map((label) => label.trim()).filter(Boolean);
    return loadCatalog({ labels }).map(({ job, label }) => ({ job, label }));
  }
  program.error('give the jobs with --jobs job=label,... or --labels label,...');
}

function integer(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new InvalidArgumentError(`'${value}' is not a whole number`);
  }
  return number;
}

function share(value: string): number {
  const number = Number(value);
  if (!(number >= 0 && number <= 1)) throw new InvalidArgumentError(`'${value}' is not in 0..1`);
  return number;
}

function endpoint(value: string): { host: string; port: number } {
  const match = /^([^:]+):(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`'${value}' is not host:port`);
  return { host: match[1] ?? '', port: Number(match[2]) };
}
