import ssh2 from 'ssh2';

const { Client } = ssh2;

export interface ExecResult {
  stdout: string;
  code: number | null;
}

export interface ExecOptions {
  port: number;
  username: string;
  privateKey: string;
  command: string;
  timeoutMs?: number;
}

/** Logs in with a key, runs one command and returns what it printed and its exit code. */
export async function sshExec(options: ExecOptions): Promise<ExecResult> {
  const client = new Client();
  try {
    return await new Promise<ExecResult>((resolve, reject) => {
      client.once('error', reject);
      client.once('close', () => reject(new Error('connection closed before the command ran')));
      client.once('ready', () => {
        client.exec(options.command, (error, stream) => {
          if (error) {
            reject(error);
            return;
          }
          let stdout = '';
          stream.on('data', (chunk: Buffer) => {
            stdout += chunk.toString('utf8');
          });
          stream.stderr.resume();
          stream.once('close', (code: number | null) => resolve({ stdout, code }));
        });
      });
      client.connect({
        host: '127.0.0.1',
        port: options.port,
        username: options.username,
        privateKey: options.privateKey,
        readyTimeout: options.timeoutMs ?? 5000,
      });
    });
  } finally {
    client.end();
  }
}
