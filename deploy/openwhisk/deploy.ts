import { readFile } from 'node:fs/promises';

import type { ActionSettings } from '../../lib/actions/settings.ts';
import type { Logger } from '../../lib/log.ts';
import { actionNames, buildBundles, readBundles, type ActionBundle } from '../bundle.ts';
import { applyChanges, isManaged, planChanges, removals, type Change } from './apply.ts';
import { createWhiskApi, type WhiskApi, type WhiskTarget } from './client.ts';
import { planDeployment, type DeploymentPlan } from './plan.ts';

export const DEFAULT_PACKAGE = 'whiskpool';

export interface DeployOptions {
  target: WhiskTarget;
  packageName?: string;
  settings: ActionSettings;
  /** Deploy these prebuilt bundles; when absent the bundles are built first. */
  bundleDir?: string;
  dryRun?: boolean;
  log: Logger;
}

export interface DeployResult {
  plan: DeploymentPlan;
  changes: Change[];
}

/**
 * Makes the namespace hold exactly the plan: what is missing is created, what differs is
 * updated, what matches is left alone, so a second deployment of the same thing does nothing.
 */
export async function deploy(options: DeployOptions, api?: WhiskApi): Promise<DeployResult> {
  const plan = await deploymentPlan(options);
  const whisk = api ?? createWhiskApi(options.target);
  const changes = await planChanges(whisk, plan);
  if (!options.dryRun) {
    await applyChanges(changes);
    const acted = changes.filter((c) => c.change !== 'unchanged').length;
    options.log.info({ package: plan.package.name, changes: acted }, 'deployed');
  }
  return { plan, changes };
}

/** The plan for the current sources: bundles built (or read) and the settings given. */
export async function deploymentPlan(
  options: Pick<DeployOptions, 'packageName' | 'settings' | 'bundleDir'>,
): Promise<DeploymentPlan> {
  const bundles = await bundlesFor(options.bundleDir);
  return planDeployment({
    packageName: options.packageName ?? DEFAULT_PACKAGE,
    settings: options.settings,
    bundles: await Promise.all(
      bundles.map(async (b) => ({ action: b.action, code: await readFile(b.file, 'utf8') })),
    ),
  });
}

export interface UndeployOptions {
  target: WhiskTarget;
  packageName?: string;
  dryRun?: boolean;
  log: Logger;
}

/**
 * Removes what `deploy` created under the package's name: its rules, alarms and triggers,
 * the package's actions and the package. Entities without the `managed-by` annotation stay.
 */
export async function undeploy(options: UndeployOptions, api?: WhiskApi): Promise<Change[]> {
  const whisk = api ?? createWhiskApi(options.target);
  const packageName = options.packageName ?? DEFAULT_PACKAGE;
  const prefix = `${packageName}-`;
  const pkg = await whisk.getPackage(packageName);

  const changes = removals(whisk, packageName, {
    rules: (await whisk.listRules()).filter((r) => r.name.startsWith(prefix) && isManaged(r)),
    triggers: (await whisk.listTriggers()).filter((t) => t.name.startsWith(prefix) && isManaged(t)),
    actions: (pkg?.actions ?? []).filter(isManaged),
    pkg: pkg && isManaged(pkg) ? pkg : null,
  });
  if (!options.dryRun) {
    await applyChanges(changes);
    options.log.info({ package: packageName, removed: changes.length }, 'undeployed');
  }
  return changes;
}

async function bundlesFor(dir: string | undefined): Promise<ActionBundle[]> {
  if (dir) return readBundles(dir, await actionNames());
  return buildBundles();
}
