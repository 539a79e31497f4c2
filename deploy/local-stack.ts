import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import type { PoolConfig } from '../lib/config/index.ts';
import { ErrorCode, WhiskpoolError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { newEd25519KeyPair, privateKeyProblem } from '../lib/ssh/keys.ts';
import type { Child } from './services/child.ts';
import { startGearmand } from './services/gearmand.ts';
import { startNats } from './services/nats.ts';
import { startNodeProcess, type NodeProcess } from './services/node-process.ts';
import { freePort, portInUse } from './services/ports.ts';
import { restartable, type Restartable } from './services/restartable.ts';
import { together } from './services/together.ts';
import { startStandIns, type StandIns } from './stand-ins.ts';

export interface LocalStackOptions {
  configPath: string;
  config: PoolConfig;
  /** Logs, the NATS store and gearmand's log go here. */
  dataDir: string;
  log: Logger;
  /** Start the stand-ins of sim/ for the cloud and Jenkins endpoints that are local. */
  standIns: boolean;
  /** Start the Zuul-like submitter: builds per second, and how many (default: no end). */
  submitter?: { rate: number; builds?: number; relaunchLost?: number };
  /** Stand-in knobs: server boot delay and build duration. */
  bootDelayMs?: number;
  buildDurationMs?: number;
  gearmanPollMs?: number;
  /** How the local action host runs the actions (see `bin/whiskpool host --proxy`). */
  actionHostMode?: 'in-process' | 'proxy';
  /** Prebuilt bundles for the proxy mode. */
  bundleDir?: string;
  /** Dispatch to this OpenWhisk deployment instead of starting the local action host. */
  openwhisk?: { apihost: string; apiKey: string; namespace?: string; packageName?: string };
}

export interface LocalStack {
  standIns: StandIns;
  submitter?: NodeProcess;
  processes: Child[];
  /** Kills one of the pool's own processes (by name, e.g. `dispatch`) and starts it again. */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Brings up a whole pool on one machine: nats-server and gearmand from the distribution,
 * the stand-ins, the local action host, and the three bridges, each as its own process.
 * Stops everything it started, in reverse order, on `stop()`; if any start fails, stops what
 * already runs before throwing.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { config, log } = options;
  // Refused before anything is written: the data directory may be the running stack's.
  await refuseTakenServerPorts(config);
  const logs = join(options.dataDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const started: Child[] = [];

  const stop = async () => {
    for (const child of [...started].reverse()) await child.stop().catch(() => undefined);
  };

  try {
    // Actions on OpenWhisk log in with the keys deploy carried to them, not with these.
    if (!options.openwhisk) ensureMachineKeys(config, log);

    // Three waves, each of processes that need nothing of one another: the servers, then
    // what talks only to them, then the bridges. Each process pays a second or two of start.
    const servers: Promise<Child>[] = [];
    const nats = localPort(config.nats.url);
    if (nats !== null) {
      const dir = join(options.dataDir, 'nats');
      servers.push(restartable(() => startNats(nats, dir, logFile(logs, 'nats'))));
    }
    for (const server of config.gearmanServers) {
      if (!isLocal(server.host)) continue;
      const output = logFile(logs, `gearmand-${server.port}`);
      const dir = join(options.dataDir, 'gearmand');
      servers.push(restartable(() => startGearmand(server.port, dir, output)));
    }
    await together(started, servers);

    const common = ['-c', options.configPath];
    const apiKey =
      options.openwhisk?.apiKey ?? `${randomUUID()}:${randomBytes(32).toString('hex')}`;
    const env = { ...process.env, WHISKPOOL_OW_AUTH: apiKey };
    const spawnCli = (name: string, args: string[]) =>
      restartable(() =>
        startNodeProcess({
          name,
          script: 'cli/main.ts',
          args: [...common, ...args],
          env,
          logFile: join(logs, `${name}.log`),
        }),
      );

    const standInsStarting = options.standIns
      ? startStandIns({
          configPath: options.configPath,
          config,
          logs,
          bootDelayMs: options.bootDelayMs ?? 0,
          buildDurationMs: options.buildDurationMs ?? 2000,
        })
      : Promise.resolve<StandIns>({ processes: [] });
    const clients: Promise<Child | Child[]>[] = [
      standInsStarting.then((standIns) => standIns.processes),
    ];
    const dispatchArgs = ['bridge', 'dispatch'];
    if (options.openwhisk) {
      const { openwhisk } = options;
      dispatchArgs.push('--apihost', openwhisk.apihost);
      if (openwhisk.namespace) dispatchArgs.push('--namespace', openwhisk.namespace);
      if (openwhisk.packageName) dispatchArgs.push('--package', openwhisk.packageName);
    } else {
      // A fixed port, so that the dispatcher finds the host again after a restart.
      // Not one the configuration names: its stand-ins may not listen on theirs yet.
      const hostPort = await freePort(configuredPorts(config));
      const hostArgs = ['host', '--port', String(hostPort)];
      if (options.actionHostMode === 'proxy') hostArgs.push('--proxy');
      if (options.bundleDir) hostArgs.push('--bundles', options.bundleDir);
      clients.push(spawnCli('action-host', hostArgs));
      dispatchArgs.push('--apihost', `http://127.0.0.1:${hostPort}`);
    }
    await together(started, clients);
    const standIns = await standInsStarting;

    const pollMs = String(options.gearmanPollMs ?? 1000);
    await together(started, [
      spawnCli('dispatch', dispatchArgs),
      spawnCli('jenkins-bridge', ['bridge', 'jenkins']),
      spawnCli('gearman-bridge', ['bridge', 'gearman', '--poll-ms', pollMs]),
    ]);

    let submitter: NodeProcess | undefined;
    if (options.submitter && config.gearmanServers[0]) {
      const gearman = config.gearmanServers[0];
      submitter = await startNodeProcess({
        name: 'zuul',
        script: 'sim/zuul/main.ts',
        args: [
          '--gearman',
          `${gearman.host}:${gearman.port}`,
          '--rate',
          String(options.submitter.rate),
          '--builds',
          String(options.submitter.builds ?? 'Infinity'),
          '--labels',
          config.labels.map((label) => label.name).join(','),
          '--relaunch-lost',
          String(options.submitter.relaunchLost ?? 0),
        ],
        logFile: join(logs, 'zuul.log'),
        announces: false,
      });
      started.push(submitter);
    }

    log.info({ logs, processes: started.map((c) => c.name) }, 'local stack up');
    const restart = async (name: string) => {
      const child = started.find((c): c is Restartable => c.name === name && 'restart' in c);
      if (!child) throw new Error(`the local stack runs no restartable process "${name}"`);
      await child.restart();
    };
    return { standIns, submitter, processes: started, restart, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The stand-in machines accept any key, but the ready check needs one to log in with; on one
 * machine whiskpool makes it, as an operator would have done with ssh-keygen.
 */
function ensureMachineKeys(config: PoolConfig, log: Logger) {
  const paths = new Set(config.providers.flatMap((p) => p.images.map((i) => i.privateKey)));
  for (const path of paths) {
    if (existsSync(path)) {
      const problem = privateKeyProblem(readFileSync(path));
      if (problem === undefined) continue;
      throw new WhiskpoolError(
        ErrorCode.ConfigInvalid,
        `private-key ${path} is no usable key (${problem}); remove it and the local stack ` +
          'makes a new one',
      );
    }
    mkdirSync(dirname(resolve(path)), { recursive: true });
    const keys = newEd25519KeyPair();
    writeFileSync(path, keys.private, { mode: 0o600 });
    writeFileSync(`${path}.pub`, `${keys.public}\n`);
    log.info({ path }, 'made an SSH key for the machines');
  }
}

/**
 * A second stack on the same configuration would start its servers on the first one's ports,
 * and on its data: it is refused before it starts anything.
 */
async function refuseTakenServerPorts(config: PoolConfig) {
  const servers: [string, number | null][] = [
    ['nats-server', localPort(config.nats.url)],
    ...config.gearmanServers.map((server): [string, number | null] => [
      'gearmand',
      isLocal(server.host) ? server.port : null,
    ]),
  ];
  for (const [what, port] of servers) {
    if (port === null || !(await portInUse(port))) continue;
    throw new WhiskpoolError(
      ErrorCode.UsageInvalid,
      `port ${port} of 127.0.0.1, where this configuration's ${what} listens, is taken: is ` +
        'another whiskpool stack running on it? Stop it first, or give another port',
    );
  }
}

/** Every port of 127.0.0.1 the configuration names, for its servers and stand-ins. */
function configuredPorts(config: PoolConfig): Set<number> {
  const urls = [
    config.nats.url,
    ...config.providers.map((provider) => provider.auth.authUrl),
    ...config.targets.map((target) => target.jenkins?.url),
    ...config.zmqPublishers,
  ];
  const ports = new Set(config.gearmanServers.map((server) => server.port));
  for (const url of urls) {
    const port = url === undefined ? NaN : portOf(url);
    if (Number.isInteger(port) && port > 0) ports.add(port);
  }
  return ports;
}

function portOf(url: string): number {
  try {
    return Number(new URL(url).port);
  } catch {
    return NaN;
  }
}

function isLocal(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost';
}

function localPort(url: string): number | null {
  const parsed = new URL(url);
  if (!isLocal(parsed.hostname)) return null;
  return parsed.port === '' ? 4222 : Number(parsed.port);
}

function logFile(dir: string, name: string) {
  return createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
}
