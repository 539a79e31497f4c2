import type { ClientErrorExtensions, SFTPWrapper } from 'ssh2';

import type { Logger } from '../log.ts';
import { newSshClient, type SshClient } from '../ssh/client.ts';
import { exec, type CommandResult } from '../ssh/session.ts';

/**
 * Users Nodepool tried, in order, on a template server booted from a distribution's cloud
 * image, after the image's own user.
 */
export const FALLBACK_USERS = ['root', 'ubuntu', 'fedora', 'cloud-user', 'centos', 'debian'];

/** One file copied over SFTP; script-dir's files are small. */
const UPLOAD_TIMEOUT_MS = 60_000;

export interface TemplateLogin {
  host: string;
  port: number;
  /** Tried in order; the first one the server accepts is used. */
  usernames: readonly string[];
  privateKey: string | Buffer;
  /** Per connection: TCP, handshake and authentication. */
  timeoutMs: number;
}

/** An SSH session on a template server. */
export interface TemplateSession {
  readonly username: string;
  run(command: string, timeoutMs: number): Promise<CommandResult>;
  /** Writes a file over SFTP; a relative path is relative to the user's home. */
  upload(remotePath: string, content: Buffer, mode: number): Promise<void>;
  close(): void;
}

export type LoginOutcome = { session: TemplateSession } | { refused: string };

/**
 * Logs in as the first of `usernames` the server accepts. A server that does not answer at
 * all is not asked again under other names: it is still booting, and the caller tries later.
 * Host keys are not checked: a template server is new, and Nodepool never checked them.
 */
export async function loginAsAnyOf(login: TemplateLogin, log: Logger): Promise<LoginOutcome> {
  const refusals: string[] = [];

  for (const username of login.usernames) {
    const client = await newSshClient();
    // Errors after login (a reset while a command runs) reach the command's own callbacks;
    // without a listener Node would treat them as uncaught.
    client.on('error', () => undefined);
    try {
      await connect(client, login, username);
      log.debug({ host: login.host, username }, 'logged in to template server');
      return { session: sessionOver(client, username) };
    } catch (error) {
      client.end();
      const level = (error as ClientErrorExtensions).level;
      const reason = error instanceof Error ? error.message : String(error);
      if (level !== 'client-authentication') {
        return { refused: `${login.host}:${login.port} does not answer: ${reason}` };
      }
      refusals.push(username);
    }
  }
  return { refused: `${login.host}:${login.port} refused the key for ${refusals.join(', ')}` };
}

function connect(client: SshClient, login: TemplateLogin, username: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
    client.once('close', () => reject(new Error('connection closed during login')));
    client.connect({
      host: login.host,
      port: login.port,
      username,
      privateKey: login.privateKey,
      readyTimeout: login.timeoutMs,
      hostVerifier: () => true,
    });
  });
}

function sessionOver(client: SshClient, username: string): TemplateSession {
  let sftp: Promise<SFTPWrapper> | undefined;

  return {
    username,
    run: (command, timeoutMs) => exec(client, command, timeoutMs),
    async upload(remotePath, content, mode) {
      sftp ??= new Promise((resolve, reject) =>
        client.sftp((error, wrapper) => (error ? reject(error) : resolve(wrapper))),
      );
      const channel = await sftp;
      await new Promise<void>((resolve, reject) => {
        // A stalled transfer must not outlive the step's lease.
        const timer = setTimeout(() => {
          reject(new Error(`no answer within ${UPLOAD_TIMEOUT_MS / 1000} s`));
          client.end();
        }, UPLOAD_TIMEOUT_MS);
        channel.writeFile(remotePath, content, { mode }, (error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        });
      });
    },
    close: () => client.end(),
  };
}
