import { join } from 'node:path';

import type { PoolConfig } from '../lib/config/index.ts';
import { startNodeProcess, type NodeProcess } from './services/node-process.ts';
import { together } from './services/together.ts';

export interface StandInOptions {
  configPath: string;
  config: PoolConfig;
  logs: string;
  bootDelayMs: number;
  buildDurationMs: number;
}

export interface StandIns {
  processes: NodeProcess[];
  /** Base URLs of the stand-ins, for tests and the operator's curiosity. */
  openstack?: string[];
  jenkins?: string[];
}

/**
 * Starts a stand-in for each cloud and Jenkins endpoint of the configuration that lives on
 * 127.0.0.1, configured with the same names and credentials, so that whiskpool talks to them
 * exactly as it would to the real systems.
 */
export async function startStandIns(options: StandInOptions): Promise<StandIns> {
  const { config } = options;
  const processes: NodeProcess[] = [];
  const openstack: string[] = [];
  const jenkins: string[] = [];

  try {
    const clouds = new Map<number, PoolConfig['providers'][number]>();
    for (const provider of config.providers) {
      const url = provider.auth.authUrl ? new URL(provider.auth.authUrl) : null;
      if (url && isLocal(url.hostname) && !clouds.has(Number(url.port))) {
        clouds.set(Number(url.port), provider);
      }
    }
    const starting: Promise<NodeProcess>[] = [];
    for (const [port, provider] of clouds) {
      const sim = startNodeProcess({
        name: `openstack-${port}`,
        script: 'sim/openstack/main.ts',
        args: [
          '--port',
          String(port),
          '--boot-delay-ms',
          String(options.bootDelayMs),
          // Room beyond max-servers: whiskpool's own limit is what is being exercised.
          '--max-instances',
          String(Math.max(100, 2 * provider.maxServers)),
          '--user',
          provider.auth.username ?? 'whiskpool',
          '--project',
          provider.auth.projectName ?? provider.auth.projectId ?? 'whiskpool',
          ...(provider.regionName ? ['--region', provider.regionName] : []),
          ...[...new Set(provider.images.map((image) => image.username))].flatMap((user) => [
            '--ssh-user',
            user,
          ]),
        ],
        // In the environment, not on the command line, where any user's `ps` would show it.
        env: { ...process.env, OPENSTACK_SIM_PASSWORD: provider.auth.password ?? '' },
        logFile: join(options.logs, `openstack-${port}.log`),
      });
      starting.push(sim);
      openstack.push(`http://127.0.0.1:${port}`);
    }

    const localPublishers = config.zmqPublishers.filter((address) =>
      isLocal(new URL(address.replace(/^tcp:/, 'http:')).hostname),
    );
    const gearman = config.gearmanServers[0];
    for (const [index, target] of config.targets.entries()) {
      const settings = target.jenkins;
      if (!settings || !isLocal(new URL(settings.url).hostname)) continue;
      const publisher = localPublishers[index];
      const zmqPort = publisher ? new URL(publisher.replace(/^tcp:/, 'http:')).port : undefined;

      const sim = startNodeProcess({
        name: `jenkins-${target.name}`,
        script: 'sim/jenkins/main.ts',
        args: [
          '--port',
          new URL(settings.url).port,
          ...(zmqPort ? ['--zmq-port', zmqPort] : []),
          '--user',
          settings.user,
          ...(gearman ? ['--gearman', `${gearman.host}:${gearman.port}`] : []),
          '--labels',
          config.labels.map((label) => label.name).join(','),
          '--build-duration-ms',
          String(options.buildDurationMs),
          '--master-name',
          target.name,
        ],
        env: { ...process.env, JENKINS_SIM_API_KEY: settings.apikey },
        logFile: join(options.logs, `jenkins-${target.name}.log`),
      });
      starting.push(sim);
      jenkins.push(settings.url.replace(/\/$/, ''));
    }

    // Each stand-in waits for nothing but its own port: they all start at once.
    await together(processes, starting);
  } catch (error) {
    for (const sim of processes.reverse()) await sim.stop();
    throw error;
  }

  return { processes, openstack, jenkins };
}

function isLocal(host: string) {
  return host === '127.0.0.1' || host === 'localhost';
}
