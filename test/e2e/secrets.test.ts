import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { connect, type NatsConnection } from '@nats-io/transport-node';

import type { LocalStack } from '../../deploy/local-stack.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { openDatabase } from '../../lib/db/connect.ts';
import { migrateLatest } from '../../lib/db/migrate.ts';
import { mariadbSkip, startTestMariaDb, type TestMariaDb } from '../support/mariadb.ts';
import { writeTestPool, type TestPool } from '../support/pool-config.ts';
import { startTestStack } from '../support/test-stack.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILDS = 6;
const CLOUD_PASSWORD = 'cloudpw-Zq7xT4e1b93';
const JENKINS_KEY = 'jenkinskey-Wv3kR8c2d71';
/** Used only where no MariaDB runs: a secure.conf dburi that the environment overrides. */
const UNUSED_DB_PASSWORD = 'dbpw-Kj5mN2a9f40';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The whole pool on the local stack with distinctive secrets: a cloud password, a Jenkins API
 * key and a database password in secure.conf. None may show in a log file, a NATS message, an
 * error or a command's output.
 */
describe('secrets on the local stack', { timeout: 400_000 }, () => {
  let pool: TestPool;
  let stack: LocalStack;
  let mariadb: TestMariaDb | undefined;
  let nc: NatsConnection;
  let secrets: string[];
  let env: NodeJS.ProcessEnv;
  const messages: { subject: string; data: string }[] = [];
  const completed: Record<string, unknown>[] = [];

  before(async () => {
    pool = await writeTestPool({
      labels: [{ name: 'ci-jessie-wikimedia', minReady: 1 }],
      maxServers: 3,
      cloudPassword: CLOUD_PASSWORD,
      jenkinsApiKey: JENKINS_KEY,
    });

    // secure.conf beside nodepool.yaml is read by every process; its dburi wins over the
    // SQLite file of nodepool.yaml, unless the environment names another database.
    env = { ...process.env };
    let dburi: string;
    if (mariadbSkip() === false) {
      mariadb = await startTestMariaDb();
      dburi = await mariadb.createDatabase();
      const db = openDatabase({ url: dburi });
      await migrateLatest(db);
      await db.destroy();
    } else {
      dburi = `mysql://whiskpool:${UNUSED_DB_PASSWORD}@127.0.0.1:9/whiskpool`;
      env.WHISKPOOL_DATABASE_URL = pool.databaseUrl;
    }
    writeFileSync(join(pool.dir, 'secure.conf'), `[database]\ndburi = ${dburi}\n`);

    const dbPassword = decodeURIComponent(new URL(dburi).password);
    const basic = Buffer.from(`whiskpool:${JENKINS_KEY}`).toString('base64');
    secrets = [CLOUD_PASSWORD, JENKINS_KEY, basic, dbPassword, encodeURIComponent(dbPassword)];

    // The stack's processes, restarted ones included, take their environment from this one.
    if (env.WHISKPOOL_DATABASE_URL) process.env.WHISKPOOL_DATABASE_URL = env.WHISKPOOL_DATABASE_URL;
    const { config } = await loadConfig(pool.configPath);
    stack = await startTestStack(pool, config, {
      submitter: { rate: 4, builds: BUILDS },
    });

    nc = await connect({ servers: `nats://127.0.0.1:${pool.ports.nats}` });
    const everything = nc.subscribe('>');
    void (async () => {
      for await (const msg of everything) {
        messages.push({ subject: msg.subject, data: msg.string() });
      }
    })();
    stack.submitter?.onLine((line) => {
      if ('build' in line) completed.push(line.build as Record<string, unknown>);
    });

    // Failures make error messages: Nova errors, a boot failure and revoked tokens.
    await simPost(pool.openstackUrl, '_sim/faults', {
      novaErrors: { count: 2 },
      bootErrors: { count: 1, message: 'No valid host was found' },
    });
    await simPost(pool.openstackUrl, '_sim/revoke-tokens', {});
  });

  after(async () => {
    await nc?.drain().catch(() => undefined);
    await stack?.stop();
    await mariadb?.stop();
  });

  function assertNoSecret(text: string, where: string) {
    for (const secret of secrets) {
      const at = text.indexOf(secret);
      const context = at < 0 ? '' : text.slice(Math.max(0, at - 200), at + secret.length + 50);
      assert.equal(at, -1, `a secret is in ${where}:\n${context}`);
    }
  }

  it('runs its builds, through the faults', async () => {
    await waitFor('every build', 300_000, () => completed.length >= BUILDS, pool.logsDir);
    assert.equal(completed.length, BUILDS);
  });

  it('puts no secret in any NATS message, the dead letters included', () => {
    assert.ok(messages.some((m) => m.subject.startsWith('whiskpool.build.')), 'build events seen');
    assert.ok(messages.some((m) => m.subject.startsWith('$JS.API')), 'JetStream traffic seen');
    for (const message of messages) assertNoSecret(message.data, `NATS ${message.subject}`);
  });

  it('prints no secret in list, list --json or config-validate', async () => {
    const runs = await Promise.all([
      whiskpool(['-c', pool.configPath, 'list'], env),
      whiskpool(['-c', pool.configPath, 'list', '--json'], env),
      whiskpool(['-c', pool.configPath, 'config-validate'], env),
    ]);

    for (const run of runs) {
      assert.equal(run.code, 0, run.stderr);
      assertNoSecret(run.stdout + run.stderr, 'command output');
    }
  });

  it('prints no secret when config-validate refuses files that hold them', async () => {
    const text = readFileSync(pool.configPath, 'utf8');
    const broken = {
      'password-as-a-list.yaml': text
        .replace(`password: ${CLOUD_PASSWORD}`, `password: [${CLOUD_PASSWORD}]`)
        .replace(`apikey: ${JENKINS_KEY}`, `apikey: {key: ${JENKINS_KEY}}`),
      'password-unterminated.yaml': text.replace(
        `password: ${CLOUD_PASSWORD}`,
        `password: "${CLOUD_PASSWORD}\n  oops: [`,
      ),
      'password-misindented.yaml': text.replace(
        `password: ${CLOUD_PASSWORD}`,
        `     password: ${CLOUD_PASSWORD}`,
      ),
      'secret-in-a-bad-url.yaml': text.replace(
        /auth-url: .*/,
        `auth-url: nodepool:${CLOUD_PASSWORD}@keystone`,
      ),
    };
    const secure = join(pool.dir, 'broken-secure.conf');
    writeFileSync(secure, `[database]\ndburi = postgres://whiskpool:${secrets[3]}@db/whiskpool\n`);

    const runs = await Promise.all([
      ...Object.entries(broken).map(([name, body]) => {
        const path = join(pool.dir, name);
        writeFileSync(path, body);
        return whiskpool(['-c', path, 'config-validate'], env);
      }),
      whiskpool(['-c', pool.configPath, '-s', secure, 'config-validate'], env),
      whiskpool(['-c', pool.configPath, '-s', secure, 'list'], env),
    ]);

    for (const run of runs) {
      assert.notEqual(run.code, 0, run.stdout);
      assert.ok(run.stdout.length + run.stderr.length > 0, 'says what is wrong');
      assertNoSecret(run.stdout + run.stderr, 'the refusal');
    }
  });

  it('writes no secret to any log file of the stack', async () => {
    await stack.stop();

    const files = listFiles(join(pool.dir, 'logs'));
    assert.ok(files.length >= 8, `log files: ${files.join(', ')}`);
    const dispatch = files.find((file) => file.endsWith('dispatch.log'));
    assert.ok(dispatch, 'the dispatcher has a log');
    // The faults made errors, and their messages went to the log: there was something to leak.
    assert.match(readFileSync(dispatch, 'utf8'), /action failed; will retry/);
    for (const file of files) assertNoSecret(readFileSync(file, 'latin1'), file);
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

async function simPost(base: string, path: string, body: unknown) {
  const response = await fetch(`${base}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.ok(response.ok, `${path}: ${response.status}`);
}

function whiskpool(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'bin/whiskpool'), args, { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
