import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SCRIPTS_DIR } from '../../../lib/image/scripts.ts';
import {
  parseSetupStatus,
  SETUP_JOB_DIR,
  SETUP_JOB_THERE_COMMAND,
  SETUP_OUTPUT_COMMAND,
  SETUP_STATUS_COMMAND,
  startSetupCommand,
} from '../../../lib/image/setup-job.ts';

const root = mkdtempSync(join(tmpdir(), 'whiskpool-detach-'));
const scriptsDir = join(root, 'scripts');
const jobDir = join(root, 'job');

/** The command with this test's directories for the machine's, run by a real sh. */
function sh(command: string): string {
  const local = command.replaceAll(SCRIPTS_DIR, scriptsDir).replaceAll(SETUP_JOB_DIR, jobDir);
  return execFileSync('sh', ['-c', local], { encoding: 'utf8', timeout: 5000 });
}

async function statusOf(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(join(jobDir, 'status'))) {
      const status = parseSetupStatus(sh(SETUP_STATUS_COMMAND));
      if (status !== null) return status;
    }
    await sleep(50);
  }
  throw new Error('the setup job never ended');
}

describe('the setup script as a detached job, run by sh', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('starts at once, then leaves the exit status and the output, quoting kept', async () => {
    execFileSync('mkdir', ['-p', scriptsDir]);
    const script = '#!/bin/sh\nsleep 0.3\necho "host $1 key $NODEPOOL_SSH_KEY"\nexit 3\n';
    writeFileSync(join(scriptsDir, 'setup_node.sh'), script, { mode: 0o755 });
    const env = { NODEPOOL_SSH_KEY: "ssh-rsa AAAA it's a \"key\" $HOME", PATH: '/bin' };

    const started = Date.now();
    sh(startSetupCommand('setup_node.sh', "template-'1'", env));
    assert.ok(Date.now() - started < 250, 'the command does not wait for the script');
    assert.throws(() => sh(SETUP_STATUS_COMMAND), 'no status while the script runs');
    sh(SETUP_JOB_THERE_COMMAND);

    assert.equal(await statusOf(), 3);
    assert.equal(
      sh(SETUP_OUTPUT_COMMAND),
      `host template-'1' key ssh-rsa AAAA it's a "key" $HOME\n`,
    );
  });

  it('finds no job once its files are gone, as after a reboot', () => {
    rmSync(join(jobDir, 'output'));
    assert.throws(() => sh(SETUP_JOB_THERE_COMMAND));
  });

  it('does not start the script a second time on the same machine', async () => {
    writeFileSync(join(scriptsDir, 'count.sh'), '#!/bin/sh\necho run >> "$0.runs"\n', {
      mode: 0o755,
    });

    sh(startSetupCommand('count.sh', 'template', {}));
    assert.equal(await statusOf(), 3, 'the first job status stays');
    await sleep(300);
    assert.equal(existsSync(join(scriptsDir, 'count.sh.runs')), false);
    assert.equal(readFileSync(join(jobDir, 'status'), 'utf8'), '3\n');
  });

  it('reads a status only once it is whole', () => {
    assert.equal(parseSetupStatus('0\n'), 0);
    assert.equal(parseSetupStatus('127\n'), 127);
    assert.equal(parseSetupStatus(''), null);
    assert.equal(parseSetupStatus('1x'), null);
  });
});
