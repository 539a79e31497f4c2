import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';

import type { Command } from 'commander';

import { DEFAULT_BUNDLE_DIR } from '../../deploy/bundle.ts';
import { describeChanges } from '../../deploy/openwhisk/apply.ts';
import {
  DEFAULT_PACKAGE,
  deploy,
  deploymentPlan,
  undeploy,
} from '../../deploy/openwhisk/deploy.ts';
import { renderManifest } from '../../deploy/openwhisk/manifest.ts';
import { withCarriedFiles } from '../../lib/actions/carried-files.ts';
import { createLogger } from '../../lib/log.ts';
import { actionSettings, readConfig, type GlobalOptions } from '../config-file.ts';

interface TargetOptions {
  apihost: string;
  auth: string;
  namespace: string;
  package: string;
  dryRun?: boolean;
}

/** `deploy`, `undeploy` and `manifest`: the pool's actions on an OpenWhisk deployment. */
export function registerDeployCommands(program: Command) {
  const withTarget = (command: Command) =>
    command
      .requiredOption('--apihost <url>', 'OpenWhisk API host, e.g. https://openwhisk.example.org')
      .requiredOption('--auth <key>', 'OpenWhisk API key, uuid:key', process.env.WHISKPOOL_OW_AUTH)
      .option('--namespace <ns>', 'OpenWhisk namespace', '_')
      .option('--package <name>', 'package holding the actions', DEFAULT_PACKAGE)
      .option('--dry-run', 'print what would change and change nothing');

  withTarget(program.command('deploy'))
    .description('build the bundles and create or update the actions, triggers and rules')
    .option('--bundles <dir>', 'deploy these prebuilt bundles instead of building them')
    .action(async (options: TargetOptions & { bundles?: string }) => {
      const loaded = await readConfig(program.opts<GlobalOptions>());
      const { changes } = await deploy({
        target: target(options),
        packageName: options.package,
        // Keys and scripts go along: an OpenWhisk container cannot read this machine's disk.
        settings: await withCarriedFiles(actionSettings(loaded)),
        bundleDir: options.bundles,
        dryRun: options.dryRun,
        log: createLogger({ name: 'whiskpool.deploy' }),
      });
      const lines = describeChanges(changes);
      print(options.dryRun ? ['dry run: nothing changed', ...lines] : lines);
    });

  withTarget(program.command('undeploy'))
    .description('remove the actions, triggers and rules that deploy created')
    .action(async (options: TargetOptions) => {
      const changes = await undeploy({
        target: target(options),
        packageName: options.package,
        dryRun: options.dryRun,
        log: createLogger({ name: 'whiskpool.undeploy' }),
      });
      const lines = changes.length === 0 ? ['nothing deployed'] : describeChanges(changes);
      print(options.dryRun ? ['dry run: nothing changed', ...lines] : lines);
    });

  program
    .command('manifest')
    .description('write the deployment as a wskdeploy manifest.yaml')
    .option('--out <file>', 'where to write it', 'deploy/openwhisk/manifest.yaml')
    .option('--package <name>', 'package holding the actions', DEFAULT_PACKAGE)
    .option('--bundles <dir>', 'prebuilt bundles to describe instead of building them')
    .action(async (options: { out: string; package: string; bundles?: string }) => {
      const loaded = await readConfig(program.opts<GlobalOptions>());
      const plan = await deploymentPlan({
        packageName: options.package,
        settings: actionSettings(loaded),
        bundleDir: options.bundles,
      });
      const out = resolve(options.out);
      const bundles = relative(process.cwd(), resolve(options.bundles ?? DEFAULT_BUNDLE_DIR));
      await writeFile(out, renderManifest(plan, bundles));
      print([`wrote ${out}`]);
    });
}

function target(options: TargetOptions) {
  return { apihost: options.apihost, apiKey: options.auth, namespace: options.namespace };
}

function print(lines: string[]) {
  process.stdout.write(`${lines.join('\n')}\n`);
}
