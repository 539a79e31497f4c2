/**
 * The pool's actions on OpenWhisk: what a deployment holds (`plan.ts`, `limits.ts`), how it is
 * compared and applied (`apply.ts`) over the `openwhisk` client (`client.ts`), deploy and
 * undeploy (`deploy.ts`), and the same deployment as a wskdeploy manifest (`manifest.ts`).
 */
export { describeChanges, type Change } from './apply.ts';
export { DEFAULT_PACKAGE, deploy, deploymentPlan, undeploy } from './deploy.ts';
export { ACTION_LIMITS, limitsOf } from './limits.ts';
export { renderManifest } from './manifest.ts';
export { planDeployment, type DeploymentPlan } from './plan.ts';
