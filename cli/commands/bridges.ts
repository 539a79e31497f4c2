import { InvalidArgumentError, type Command } from 'commander';

import { actionSettings, readConfig, type GlobalOptions } from '../config-file.ts';
import { configSource } from '../config-source.ts';

/**
 * The long-running processes of a pool, one subcommand each. Each loads only its own code
 * when it runs: a process of the stack starts in half the time of one loading them all.
 */
export function registerBridgeCommands(program: Command) {
  const bridge = program.command('bridge').description('run one bridge process');

  bridge
    .command('gearman')
    .description('poll Gearman status and publish demand per label')
    .option('--poll-ms <ms>', 'how often to read Gearman status', parseMs, 1000)
    .action(async (options: { pollMs: number }) => {
      const global = program.opts<GlobalOptions>();
      const loaded = await readConfig(global);
      const { runGearmanBridge } = await import('../../bridges/gearman/main.ts');
      await runGearmanBridge(loaded.config, {
        pollMs: options.pollMs,
        source: configSource(global),
      });
    });

  bridge
    .command('jenkins')
    .description('subscribe to Jenkins ZMQ publishers and publish build events')
    .action(async () => {
      const global = program.opts<GlobalOptions>();
      const loaded = await readConfig(global);
      const { runJenkinsBridge } = await import('../../bridges/jenkins/main.ts');
      await runJenkinsBridge(loaded.config, { source: configSource(global) });
    });

  bridge
    .command('dispatch')
    .description('consume work from JetStream and invoke the actions')
    .requiredOption('--apihost <url>', 'OpenWhisk API host (the local action host on one machine)')
    .requiredOption('--auth <key>', 'OpenWhisk API key, uuid:key', process.env.WHISKPOOL_OW_AUTH)
    .option('--namespace <ns>', 'OpenWhisk namespace', '_')
    .option('--package <name>', 'package holding the actions')
    .action(
      async (options: { apihost: string; auth: string; namespace: string; package?: string }) => {
        const loaded = await readConfig(program.opts<GlobalOptions>());
        const { runDispatchBridge } = await import('../../bridges/dispatch/main.ts');
        await runDispatchBridge(loaded.config, {
          apihost: options.apihost,
          apiKey: options.auth,
          namespace: options.namespace,
          packageName: options.package,
        });
      },
    );

  program
    .command('host')
    .description('run the actions locally behind an OpenWhisk-compatible API')
    .option('--port <port>', 'port on 127.0.0.1 (0: a free one)', parsePort, 0)
    .requiredOption('--auth <key>', 'API key callers must present', process.env.WHISKPOOL_OW_AUTH)
    .option('--proxy', "run each action's bundle in containers, as OpenWhisk does (slower)")
    .option('--bundles <dir>', 'prebuilt bundles for --proxy (default: build them now)')
    .action(async (options: { port: number; auth: string; proxy?: boolean; bundles?: string }) => {
      const global = program.opts<GlobalOptions>();
      const { runLocalHost } = await import('../../deploy/local-host/main.ts');
      await runLocalHost({
        port: options.port,
        apiKey: options.auth,
        settings: actionSettings(await readConfig(global)),
        reload: { source: configSource(global), settingsOf: actionSettings },
        mode: options.proxy ? 'proxy' : 'in-process',
        bundleDir: options.bundles,
      });
    });
}

function parseMs(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new InvalidArgumentError(`must be a positive integer, got "${value}"`);
  }
  return ms;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError(`must be a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}
