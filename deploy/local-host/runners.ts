import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { ActionResult } from '../../lib/actions/result.ts';
import { ActivationStatus, statusOfResult, type RunOutcome } from '../action-proxy/activation.ts';
import { createContainerPool } from '../action-proxy/pool.ts';
import type { ActionBundle } from '../bundle.ts';
import { limitsOf } from '../openwhisk/limits.ts';

export type ActionMain = (params: Record<string, unknown>) => Promise<ActionResult>;

/** How the local host runs an action: in its own process, or in containers as OpenWhisk does. */
export interface ActionRunner {
  readonly mode: 'in-process' | 'proxy';
  names(): string[];
  run(name: string, params: Record<string, unknown>, activationId: string): Promise<RunOutcome>;
  close(): Promise<void>;
}

/** The quick default: every action's `main` called in this process. */
export function inProcessRunner(actions: Record<string, ActionMain>): ActionRunner {
  return {
    mode: 'in-process',
    names: () => Object.keys(actions),
    async run(name, params) {
      const main = actions[name];
      if (!main) throw new Error(`no action ${name}`);
      try {
        const result = (await main(params)) as Record<string, unknown>;
        return { result, status: statusOfResult(result), logs: [] };
      } catch (error) {
        // OpenWhisk records a rejected promise as an application error carrying the error.
        const message = error instanceof Error ? error.message : String(error);
        return {
          result: { error: { code: 'WP_ACTION_FAILED', message, retryable: true } },
          status: ActivationStatus.ApplicationError,
          logs: [],
        };
      }
    },
    async close() {},
  };
}

export interface ProxyRunnerOptions {
  bundles: readonly ActionBundle[];
  namespace: string;
  /** Where the containers' output goes, end markers removed. */
  output?: NodeJS.WritableStream;
  maxContainersPerAction?: number;
}

/**
 * Runs each action's bundle in containers speaking the action-proxy protocol, with the limits
 * the deployment gives it, so a bundle is exercised exactly as OpenWhisk runs it. The one
 * difference: the containers may load better-sqlite3, which production leaves out of the
 * bundles, so that the embedded default's SQLite works here too.
 */
export function proxyRunner(options: ProxyRunnerOptions): ActionRunner {
  const modules = sqliteOnlyModules();
  const pool = createContainerPool({
    nodePath: modules.path,
    output: options.output,
    maxContainersPerAction: options.maxContainersPerAction,
  });
  const actions = new Map(
    options.bundles.map((bundle) => {
      const limits = limitsOf(bundle.action);
      return [
        bundle.action,
        {
          name: `/${options.namespace}/${bundle.action}`,
          code: readFileSync(bundle.file, 'utf8'),
          digest: bundle.sha256,
          limits: {
            timeoutMs: limits.timeoutMs,
            memoryMb: limits.memoryMb,
            concurrency: limits.concurrency,
          },
        },
      ];
    }),
  );

  return {
    mode: 'proxy',
    names: () => [...actions.keys()],
    async run(name, params, activationId) {
      const action = actions.get(name);
      if (!action) throw new Error(`no action ${name}`);
      return pool.run(action, params, { namespace: options.namespace, activationId });
    },
    async close() {
      await pool.stop();
      modules.remove();
    },
  };
}

/** A NODE_PATH that offers better-sqlite3 and nothing else of this repository's modules. */
function sqliteOnlyModules() {
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-modules-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  const real = fileURLToPath(new URL('../../node_modules/better-sqlite3', import.meta.url));
  symlinkSync(real, join(modules, 'better-sqlite3'), 'dir');
  return { path: modules, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
