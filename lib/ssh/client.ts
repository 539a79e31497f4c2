import type { Client } from 'ssh2';

export type SshClient = Client;

/**
 * A new ssh2 client, the library loaded on first use: most actions never log in to a machine,
 * and loading it costs each of them tens of milliseconds of cold start.
 */
export async function newSshClient(): Promise<SshClient> {
  const { default: ssh2 } = await import('ssh2');
  return new ssh2.Client();
}
