import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { cpuBetween, sampleFootprint } from '../../bench/footprint.ts';
import { descendantsOf, holdsOpen, readProcess } from '../../bench/processes.ts';

describe('bench process footprint', () => {
  it('finds a child process, its memory and CPU in /proc', async (t) => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], {
      stdio: 'ignore',
    });
    t.after(() => child.kill('SIGKILL'));
    await sleep(200);

    assert.ok(descendantsOf(process.pid).includes(child.pid!), 'the child is a descendant');
    const reading = readProcess(child.pid!);
    assert.ok(reading && reading.rssKb > 0 && reading.hwmKb >= reading.rssKb);
    assert.ok(reading.cpuMs > 0, 'starting node took some CPU');
    assert.equal(readProcess(2 ** 22 + 1), null, 'no such process');
  });

  it('tells which processes hold the SQLite file, its WAL or shared memory open', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'whiskpool-bench-test-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'state.sqlite');
    writeFileSync(`${file}-wal`, '');
    const fd = openSync(`${file}-wal`, 'r');
    t.after(() => closeSync(fd));

    assert.equal(holdsOpen(process.pid, new Set([`${file}-wal`])), true);
    assert.equal(holdsOpen(process.pid, new Set([file])), false);

    const sampler = sampleFootprint([{ name: 'bench', pid: process.pid }], {
      intervalMs: 1000,
      sqliteFile: file,
    });
    const footprint = sampler.stop();
    assert.equal(footprint.sqliteHoldersPeak, 1);
    assert.ok(footprint.rssMbPeak > 0);
    assert.equal(footprint.processes[0]?.name, 'bench');
  });

  it('charges CPU to a process name between two snapshots', () => {
    const sampler = sampleFootprint([{ name: 'bench', pid: process.pid }], { intervalMs: 1000 });
    const before = sampler.cpu();
    const until = Date.now() + 50;
    while (Date.now() < until) Math.sqrt(Math.random());
    const spent = cpuBetween(before, sampler.cpu()).get('bench');
    sampler.stop();
    assert.ok(spent && spent.cpuMs >= 20, `spent ${spent?.cpuMs} ms`);
    assert.equal(sampler.stop().sqliteHoldersPeak, null, 'no SQLite file, no count');
  });
});
