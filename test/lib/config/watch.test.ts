import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { loadConfig, type LoadedConfig } from '../../../lib/config/index.ts';
import { watchConfig, type ConfigWatch } from '../../../lib/config/watch.ts';
import { createLogger } from '../../../lib/log.ts';
import { writeTestPool, type TestPool } from '../../support/pool-config.ts';

async function until(what: string, check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited in vain for ${what}`);
    await sleep(20);
  }
}

describe('watching the configuration', () => {
  let pool: TestPool;
  let watcher: ConfigWatch;
  let original: string;
  const applied: LoadedConfig[] = [];
  const records: { level: number; msg: string; problems?: string[] }[] = [];

  before(async () => {
    pool = await writeTestPool({
      labels: [{ name: 'ci-jessie-wikimedia', minReady: 1 }],
      maxServers: 2,
    });
    original = readFileSync(pool.configPath, 'utf8');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        records.push(JSON.parse(chunk.toString()) as (typeof records)[number]);
        done();
      },
    });
    const log = createLogger({ name: 'test', level: 'debug', destination: sink });
    const { config } = await loadConfig(pool.configPath);
    watcher = watchConfig(
      { path: pool.configPath, load: () => loadConfig(pool.configPath) },
      { log, current: config, onChange: (next) => void applied.push(next), pollMs: 200 },
    );
  });
  after(() => {
    watcher?.stop();
    rmSync(pool.dir, { recursive: true, force: true });
  });

  it('applies a changed max-servers without being asked', async () => {
    writeFileSync(pool.configPath, original.replace('max-servers: 2', 'max-servers: 5'));
    await until('the change to be applied', () => applied.length === 1);
    assert.equal(applied[0]!.config.providers[0]!.maxServers, 5);
  });

  it('applies a file replaced by rename, as editors and tools write it', async () => {
    const next = `${pool.configPath}.new`;
    writeFileSync(next, original.replace('max-servers: 2', 'max-servers: 4'));
    renameSync(next, pool.configPath);
    await until('the replaced file to be applied', () => applied.length === 2);
    assert.equal(applied[1]!.config.providers[0]!.maxServers, 4);
  });

  it('refuses an invalid file once, with its problems, and keeps the one in force', async () => {
    writeFileSync(pool.configPath, original.replace('max-servers: 2', 'max-servers: -3'));
    await until('the refusal', () => records.some((r) => r.msg.startsWith('new configuration')));
    await sleep(600);

    const refusals = records.filter((r) => r.msg.startsWith('new configuration refused'));
    assert.equal(refusals.length, 1);
    assert.equal(refusals[0]!.level, 50);
    assert.deepEqual(refusals[0]!.problems, [
      'providers[0].max-servers: must be a non-negative integer, got -3',
    ]);
    assert.equal(applied.length, 2);
  });

  it('passes on nothing when a file changes without changing its meaning', async () => {
    const same = original.replace('max-servers: 2', 'max-servers: 4');
    writeFileSync(pool.configPath, `${same}\n# a comment changes nothing\n`);
    await watcher.check();
    assert.equal(applied.length, 2);
  });
});
