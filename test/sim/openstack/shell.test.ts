import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MachineShell } from '../../../sim/openstack/shell.ts';

function shell(codes: Record<string, number> = {}) {
  const pending: (() => void)[] = [];
  const machine = new MachineShell({
    exitCodeFor: (command) => Object.entries(codes).find(([p]) => command.includes(p))?.[1] ?? 0,
    jobDurationMs: () => 1000,
    later: (_ms, work) => pending.push(work),
  });
  return { machine, endJobs: () => pending.splice(0).forEach((work) => work()) };
}

describe('the stand-in machine shell', () => {
  it("answers Nodepool's access check", () => {
    assert.deepEqual(shell().machine.execute('echo access okay'), {
      exitCode: 0,
      stdout: 'access okay\n',
      stderr: '',
    });
  });

  it('returns at once from a nohup job and writes its exit status when it ends', () => {
    const { machine, endJobs } = shell({ './setup.sh': 4 });
    const job = "nohup sh -c './setup.sh x > /tmp/j/out 2>&1; echo $? > /tmp/j/status' &";

    assert.equal(machine.execute(job).exitCode, 0);
    const early = machine.execute('cat /tmp/j/status');
    assert.equal(early.exitCode, 1);
    assert.match(early.stderr, /No such file or directory/);

    assert.equal(machine.execute('test -e /tmp/j/out').exitCode, 0, 'output opened at start');
    endJobs();
    const ended = machine.execute('cat /tmp/j/status');
    assert.deepEqual([ended.exitCode, ended.stdout], [0, '4\n']);
  });

  it('loses its jobs and their files in a reboot', () => {
    const { machine, endJobs } = shell();
    machine.execute("nohup sh -c 'work > /tmp/j/out; echo $? > /tmp/j/status' &");
    machine.reboot();
    endJobs();

    assert.equal(machine.execute('test -e /tmp/j/out').exitCode, 1);
    assert.equal(machine.execute('cat /tmp/j/status').exitCode, 1);
  });

  it('gives other commands their configured exit code', () => {
    const { machine } = shell({ './ready.sh': 2 });
    assert.equal(machine.execute('cd /opt/nodepool-scripts && ./ready.sh host').exitCode, 2);
    assert.equal(machine.execute('true').exitCode, 0);
  });
});
