import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createContainerPool, type DeployedAction } from '../deploy/action-proxy/pool.ts';
import { buildBundles, DEFAULT_BUNDLE_DIR } from '../deploy/bundle.ts';
import type { ActionSettings } from '../lib/actions/settings.ts';
import { Subject } from '../lib/events/subjects.ts';
import { summarize, type Summary } from './stats.ts';

export interface ActionTiming {
  action: string;
  bytes: number;
  /** Container start, `/init` with the bundle, first `/run`: what the first invocation waits. */
  coldMs: number | null;
  /** Of coldMs: starting the container and `/init`. */
  initMs: number | null;
  warmMs: Summary;
  /** The step's outcome, or the error it answered with, to show the run was a real one. */
  outcome: string;
}

export interface ActionsReport {
  /** Where the bundles came from, and whether dist/actions holds the same. */
  source: string;
  /** A container running an action that does nothing: the runtime's own share. */
  emptyColdMs: number | null;
  actions: ActionTiming[];
}

export interface ActionsOptions {
  settings: ActionSettings;
  /** A deleted node, so that node steps answer "skipped" and change nothing. */
  deletedNodeId: number;
  warmRuns: number;
}

const LIMITS = { timeoutMs: 60_000, memoryMb: 256, concurrency: 1 };

/**
 * Times each action bundle through OpenWhisk's action-proxy protocol, as the local host's
 * proxy mode runs them: a cold start (fresh container, `/init`, first `/run`, which also
 * opens the database and NATS) and then warm runs in the same container. Each invocation
 * is one that changes nothing: node steps on a deleted node, build events for an agent that
 * does not exist, a reconcile tick on a settled pool.
 */
export async function measureActions(options: ActionsOptions): Promise<ActionsReport> {
  const { dir, source, cleanup } = await bundleDir();
  const modules = sqliteModules();
  const pool = createContainerPool({ nodePath: modules.path, maxContainersPerAction: 1 });
  try {
    // The first container ever also builds the proxy script; that is the host's cost, once.
    const nothing = 'exports.main = async () => ({ ok: true });';
    const context = { namespace: '_', activationId: 'bench-empty' };
    await pool.run(deployed('warm-up', nothing), {}, context);
    const emptyStarted = performance.now();
    const empty = await pool.run(deployed('empty', nothing), {}, context);
    const emptyColdMs = empty.initMs === undefined ? null : performance.now() - emptyStarted;

    const actions: ActionTiming[] = [];
    const files = readdirSync(dir).filter((file) => file.endsWith('.js')).sort();
    for (const file of files) {
      const name = basename(file, '.js');
      const code = readFileSync(join(dir, file), 'utf8');
      const action = deployed(name, code);
      const params = { whiskpool: options.settings, ...invocationFor(name, options.deletedNodeId) };

      const started = performance.now();
      const cold = await pool.run(action, params, { namespace: '_', activationId: `${name}-0` });
      const coldMs = performance.now() - started;

      const warm: number[] = [];
      for (let run = 1; run <= options.warmRuns; run++) {
        const begun = performance.now();
        await pool.run(action, params, { namespace: '_', activationId: `${name}-${run}` });
        warm.push(performance.now() - begun);
      }

      actions.push({
        action: name,
        bytes: Buffer.byteLength(code),
        coldMs: cold.initMs === undefined ? null : coldMs,
        initMs: cold.initMs ?? null,
        warmMs: summarize(warm),
        outcome: outcomeOf(cold.result),
      });
    }
    return { source, emptyColdMs, actions };
  } finally {
    await pool.stop();
    modules.remove();
    cleanup();
  }
}

function deployed(name: string, code: string): DeployedAction {
  return {
    name: `/_/${name}`,
    code,
    digest: createHash('sha256').update(code).digest('hex'),
    limits: LIMITS,
  };
}

function invocationFor(action: string, nodeId: number): { subject: string; event: unknown } {
  const at = Date.now();
  const build = {
    job: 'bench-job',
    number: 1,
    nodeName: 'bench-no-such-agent',
    publisher: 'bench',
    at,
  };
  switch (action) {
    case 'reconcile':
      return { subject: Subject.Reconcile, event: { reason: 'bench', at } };
    case 'spawn':
      return { subject: Subject.NodeSpawn, event: { nodeId } };
    case 'ready-check':
      return { subject: Subject.NodeReadyCheck, event: { nodeId } };
    case 'register':
      return { subject: Subject.NodeRegister, event: { nodeId } };
    case 'offline':
      return { subject: Subject.BuildStarted, event: { ...build, phase: 'started' } };
    case 'delete':
      return { subject: Subject.BuildFinalized, event: { ...build, phase: 'finalized' } };
    case 'image-refresh':
      // No snapshot has this id: the step reads the database and changes nothing.
      return { subject: Subject.ImageDelete, event: { imageId: 2 ** 31 - 1, reason: 'bench' } };
    default:
      // An event no step takes: the invocation still starts the action and its connections.
      return { subject: 'whiskpool.bench', event: {} };
  }
}

function outcomeOf(result: unknown): string {
  const value = result as { summary?: { outcome?: unknown }; error?: unknown };
  if (value?.error === undefined) return String(value?.summary?.outcome ?? 'done');
  const error = value.error as { code?: unknown; message?: unknown };
  const text =
    typeof error === 'string' ? error : `${String(error.code)}: ${String(error.message)}`;
  return `error ${text}`.slice(0, 160);
}

/**
 * The bundles of the code being measured, built by `npm run build`'s own bundler into a
 * temporary directory; dist/actions may hold older ones, which is said rather than used.
 */
async function bundleDir() {
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-bench-bundles-'));
  const built = await buildBundles({ outDir: dir });
  return {
    dir,
    source: `deploy/bundle.ts, built for this run; dist/actions ${distState(built)}`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function distState(built: readonly { action: string; sha256: string }[]): string {
  if (!existsSync(DEFAULT_BUNDLE_DIR)) return 'absent';
  const stale = built.filter(({ action, sha256 }) => {
    const file = join(DEFAULT_BUNDLE_DIR, `${action}.js`);
    if (!existsSync(file)) return true;
    return createHash('sha256').update(readFileSync(file)).digest('hex') !== sha256;
  });
  if (stale.length === 0) return 'matches';
  return `is out of date (${stale.map((bundle) => bundle.action).join(', ')}): run npm run build`;
}

/**
 * better-sqlite3 is native and left out of the bundles; the local host lends it to its
 * containers through NODE_PATH, and so does the bench, so that they can open the SQLite pool.
 */
function sqliteModules() {
  const dir = mkdtempSync(join(tmpdir(), 'whiskpool-bench-modules-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  const real = fileURLToPath(new URL('../node_modules/better-sqlite3', import.meta.url));
  symlinkSync(real, join(modules, 'better-sqlite3'), 'dir');
  return { path: modules, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
