import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SCRIPTS_DIR } from '../../../lib/image/scripts.ts';
import {
  lastWords,
  parseSetupStatus,
  SETUP_CLEANUP_COMMAND,
  SETUP_JOB_DIR,
  SETUP_JOB_THERE_COMMAND,
  SETUP_OUTPUT_COMMAND,
  SETUP_STATUS_COMMAND,
  startSetupCommand,
} from '../../../lib/image/setup-job.ts';

const root = mkdtempSync(join(tmpdir(), 'whiskpool-detach-'));
const scriptsDir = join(root, 'scripts');
const jobDir = join(root, 'job');
mkdirSync(scriptsDir);

/** The command with this test's directories for the machine's, run by a real sh. */
function sh(command: string): { code: number; stdout: string } {
  const local = command.replaceAll(SCRIPTS_DIR, scriptsDir).replaceAll(SETUP_JOB_DIR, jobDir);
  try {
    return { code: 0, stdout: execFileSync('sh', ['-c', local], { encoding: 'utf8' }) };
  } catch (error) {
    return { code: (error as { status: number }).status, stdout: '' };
  }
}

function script(name: string, body: string) {
  writeFileSync(join(scriptsDir, name), `#!/bin/sh\n${body}`, { mode: 0o755 });
}

async function exitCodeOf(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const printed = sh(SETUP_STATUS_COMMAND);
    const status = printed.code === 0 ? parseSetupStatus(printed.stdout) : { running: true };
    if ('exitCode' in status) return status.exitCode;
    await sleep(50);
  }
  throw new Error('the setup job never ended');
}

describe('the setup script as a detached job, run by sh', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('starts at once, then leaves the exit status and the output, quoting kept', async () => {
    script('setup_node.sh', 'sleep 0.3\necho "host $1 key $NODEPOOL_SSH_KEY"\nexit 3\n');
    const env = { NODEPOOL_SSH_KEY: "ssh-rsa AAAA it's a \"key\" $HOME `id`", PATH: '/bin' };

    const started = Date.now();
    sh(startSetupCommand('setup_node.sh', "template-'1' $(id)", env));
    assert.ok(Date.now() - started < 250, 'the command does not wait for the script');
    assert.equal(sh(SETUP_STATUS_COMMAND).code, 1, 'no status while the script runs');
    assert.equal(sh(SETUP_JOB_THERE_COMMAND).code, 0, 'the job is there at once');

    assert.equal(await exitCodeOf(), 3);
    assert.equal(
      sh(SETUP_OUTPUT_COMMAND).stdout,
      'host template-\'1\' $(id) key ssh-rsa AAAA it\'s a "key" $HOME `id`\n',
    );
  });

  it('does not start the script a second time on the same machine', async () => {
    script('count.sh', 'echo run >> "$0.runs"\n');
    sh(startSetupCommand('count.sh', 'template', {}));
    await sleep(300);

    assert.equal(await exitCodeOf(), 3, 'the first job status stays');
    assert.equal(existsSync(join(scriptsDir, 'count.sh.runs')), false);
  });

  it('finds no job once the cleanup or a reboot removed its directory', () => {
    assert.equal(sh(SETUP_CLEANUP_COMMAND.replace(' && sleep 5', '')).code, 0);
    assert.equal(sh(SETUP_JOB_THERE_COMMAND).code, 1);
    assert.equal(sh(SETUP_STATUS_COMMAND).code, 1);
  });

  it('records why the scripts directory could not be entered', async () => {
    rmSync(scriptsDir, { recursive: true });
    sh(startSetupCommand('setup_node.sh', 'template', {}));

    assert.notEqual(await exitCodeOf(), 0);
    assert.match(sh(SETUP_OUTPUT_COMMAND).stdout, /can't cd|No such file/);
    mkdirSync(scriptsDir);
    sh(SETUP_CLEANUP_COMMAND.replace(' && sleep 5', ''));
  });

  it('quotes at most a bounded end of the output, however long its last line', async () => {
    const body = 'head -c 3000000 /dev/zero | tr "\\0" "#"\necho\necho "E: no package foo"\n';
    script('noisy.sh', `${body}exit 100\n`);
    sh(startSetupCommand('noisy.sh', 'template', {}));

    assert.equal(await exitCodeOf(), 100);
    const tail = sh(SETUP_OUTPUT_COMMAND).stdout;
    assert.ok(tail.length <= 1000, `${tail.length} bytes read back`);
    assert.match(lastWords(tail), /E: no package foo$/);
    assert.equal(readFileSync(join(jobDir, 'status'), 'utf8'), '100\n');
  });

  it('reads a status only once it is whole, and tells garbage apart', () => {
    assert.deepEqual(parseSetupStatus('0\n'), { exitCode: 0 });
    assert.deepEqual(parseSetupStatus('127\n'), { exitCode: 127 });
    assert.deepEqual(parseSetupStatus(''), { running: true });
    assert.deepEqual(parseSetupStatus('1x'), { unreadable: '1x' });
  });
});
