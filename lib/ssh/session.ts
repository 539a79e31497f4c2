import type { ClientChannel } from 'ssh2';

import { ErrorCode, WhiskpoolError } from '../errors.ts';
import { newSshClient, type SshClient } from './client.ts';

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string | Buffer;
  /** Per attempt: connection and handshake. */
  timeoutMs?: number;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Opens one SSH session, runs `commands` in order and closes it. Host keys are not pinned:
 * Nodepool never did, and a freshly booted machine has a key nobody has seen before.
 * Stops at the first command that exits non-zero.
 */
export async function runCommands(target: SshTarget, commands: string[]) {
  const client = await newSshClient();
  const timeoutMs = target.timeoutMs ?? 10_000;

  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', reject);
      client.connect({
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey: target.privateKey,
        readyTimeout: timeoutMs,
        hostVerifier: () => true,
      });
    });

    const results: CommandResult[] = [];
    for (const command of commands) {
      const result = await exec(client, command, timeoutMs * 6);
      results.push(result);
      if (result.exitCode !== 0) break;
    }
    return results;
  } catch (error) {
    if (error instanceof WhiskpoolError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new WhiskpoolError(
      ErrorCode.ReadyCheckFailed,
      `ssh ${target.username}@${target.host}:${target.port}: ${reason}`,
      { retryable: true, cause: error },
    );
  } finally {
    client.end();
  }
}

/** Runs one command on an open connection; rejects when it runs past `timeoutMs`. */
export function exec(
  client: SshClient,
  command: string,
  timeoutMs: number,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`command ran past ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );

    client.exec(command, (error: Error | undefined, stream: ClientChannel) => {
      if (error) {
        clearTimeout(timer);
        reject(error);
        return;
      }
      let stdout = '';
      let stderr = '';
      let exitCode = -1;
      stream.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      stream.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      stream.on('exit', (code: number | null) => (exitCode = code ?? -1));
      stream.on('close', () => {
        clearTimeout(timer);
        resolve({ exitCode, stdout, stderr });
      });
    });
  });
}
