import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const PROCESSES = fileURLToPath(new URL('./processes.sh', import.meta.url));

/** Runs a snippet with processes.sh sourced and STATE pointing at a directory of the test. */
function shell(state: string, snippet: string): string {
  return execFileSync('bash', ['-c', `. "${PROCESSES}"; ${snippet}`], {
    env: { ...process.env, STATE: state },
    encoding: 'utf8',
  });
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Starts a sleeper the way control-plane-up.sh starts a daemon; returns its pid. */
function startSleeper(t: TestContext): { state: string; pid: number } {
  const state = mkdtempSync(join(tmpdir(), 'whiskpool-processes-'));
  mkdirSync(join(state, 'pids'));
  mkdirSync(join(state, 'logs'));
  shell(state, `start_daemon sleeper "$(id -un)" 'sleep 297' sleep 297`);
  const pid = Number(readFileSync(join(state, 'pids', 'sleeper'), 'utf8').split(' ')[0]);
  t.after(() => {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(state, { recursive: true, force: true });
  });
  return { state, pid };
}

describe('the control plane stops only the processes it started', () => {
  it('records pid, start time and command word, and stops that process', (t) => {
    const { state, pid } = startSleeper(t);
    const [first, marker] = readFileSync(join(state, 'pids', 'sleeper'), 'utf8').split('\n');
    assert.match(first ?? '', /^\d+ \d+$/);
    assert.equal(marker, 'sleep 297');
    assert.ok(isAlive(pid));

    const said = shell(state, 'stop_daemon sleeper');
    assert.match(said, new RegExp(`stopped sleeper \\(pid ${pid}\\)`));
    assert.equal(isAlive(pid), false);
  });

  const strangers = [
    { name: 'whose command line no longer names what was started', line: 1, value: 'nova-api' },
    { name: 'that started at another time (a recycled pid)', line: 0, value: 'START' },
  ];
  for (const stranger of strangers) {
    it(`leaves alone a process ${stranger.name}`, (t) => {
      const { state, pid } = startSleeper(t);
      const record = join(state, 'pids', 'sleeper');
      const lines = readFileSync(record, 'utf8').split('\n');
      lines[stranger.line] = stranger.line === 0 ? `${pid} 1` : stranger.value;
      writeFileSync(record, lines.join('\n'));

      const said = shell(state, 'stop_daemon sleeper');
      assert.match(said, /no longer ours; not signalled/);
      assert.ok(isAlive(pid), 'the process was not signalled');
    });
  }

  it('refuses to start a second copy of a daemon that still runs', (t) => {
    const { state } = startSleeper(t);
    assert.throws(() => shell(state, 'start_daemon sleeper "$(id -un)" sleep sleep 297 2>&1'));
  });
});
