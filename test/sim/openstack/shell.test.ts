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

  const start = (code: string) =>
    'if mkdir /tmp/j 2>/dev/null; then nohup sh -c ' +
    `'{ ./setup.sh ${code}; } >> /tmp/j/out 2>&1; echo $? > /tmp/j/status' > /dev/null & fi`;

  it('returns at once from a job and writes its exit status and a line when it ends', () => {
    const { machine, endJobs } = shell({ './setup.sh': 4 });

    assert.equal(machine.execute(start('x')).exitCode, 0);
    assert.equal(machine.execute('test -d /tmp/j').exitCode, 0, 'its directory made at once');
    const early = machine.execute('cat /tmp/j/status');
    assert.equal(early.exitCode, 1);
    assert.match(early.stderr, /No such file or directory/);

    endJobs();
    const ended = machine.execute('cat /tmp/j/status');
    assert.deepEqual([ended.exitCode, ended.stdout], [0, '4\n']);
    assert.equal(machine.execute('tail -c 9 /tmp/j/out').stdout, 'exited 4\n');
  });

  it('starts no second job while the directory is there, and one after rm -rf', () => {
    const { machine, endJobs } = shell({ './setup.sh y': 5 });
    machine.execute(start('x'));
    machine.execute(start('y'));
    endJobs();
    assert.equal(machine.execute('cat /tmp/j/status').stdout, '0\n');

    assert.equal(machine.execute('rm -rf /tmp/j && sync').exitCode, 0);
    assert.equal(machine.execute('test -d /tmp/j').exitCode, 1);
    machine.execute(start('y'));
    endJobs();
    assert.equal(machine.execute('cat /tmp/j/status').stdout, '5\n');
  });

  it('writes no status for a job whose directory was removed meanwhile', () => {
    const { machine, endJobs } = shell();
    machine.execute(start('x'));
    machine.execute('rm -rf /tmp/j');
    endJobs();
    assert.equal(machine.execute('cat /tmp/j/status').exitCode, 1);
  });

  it('loses its jobs and their files in a reboot', () => {
    const { machine, endJobs } = shell();
    machine.execute(start('x'));
    machine.reboot();
    endJobs();

    assert.equal(machine.execute('test -d /tmp/j').exitCode, 1);
    assert.equal(machine.execute('cat /tmp/j/status').exitCode, 1);
  });

  it('gives other commands their configured exit code', () => {
    const { machine } = shell({ './ready.sh': 2 });
    assert.equal(machine.execute('cd /opt/nodepool-scripts && ./ready.sh host').exitCode, 2);
    assert.equal(machine.execute('true').exitCode, 0);
  });
});
