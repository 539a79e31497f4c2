import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ParsedKey } from 'ssh2';
import type { CommandAnswer } from './shell.ts';
import { serveSftp, type CopiedFile } from './sftp.ts';

const { Server: SshServer, utils } = ssh2;

export interface SshEndpointOptions {
  hostKey: string;
  /**
   * The software part of the SSH banner. Each machine names itself in it, as a real machine's
   * host key would set it apart, so a peer can tell two machines apart that got the same port.
   */
  ident?: string;
  usernames: readonly string[];
  /** When absent, any key whose signature checks out is accepted. */
  authorizedKey?: ParsedKey;
  /** False while the machine is not booted: connections are dropped before the handshake. */
  isUp: () => boolean;
  execute: (command: string) => CommandAnswer;
  onCommand: (command: string) => void;
  /** A file uploaded over SFTP, once it is closed. */
  onFile: (file: CopiedFile) => void;
}

/**
 * The SSH daemon of one simulated server, on its own port of 127.0.0.1. Commands go to the
 * machine's shell model (shell.ts); its SFTP subsystem takes uploads and reports each file.
 */
export class SshEndpoint {
  private readonly sockets = new Set<Socket>();
  private readonly ssh: InstanceType<typeof SshServer>;
  private readonly listener: NetServer;

  private constructor(private readonly options: SshEndpointOptions) {
    const settings = { hostKeys: [options.hostKey], ident: options.ident };
    this.ssh = new SshServer(settings, (client) => this.serve(client));
    this.listener = createServer((socket) => this.accept(socket));
  }

  static async start(options: SshEndpointOptions): Promise<SshEndpoint> {
    const endpoint = new SshEndpoint(options);
    await new Promise<void>((resolve, reject) => {
      endpoint.listener.once('error', reject);
      endpoint.listener.listen(0, '127.0.0.1', () => resolve());
    });
    return endpoint;
  }

  get port(): number {
    const address = this.listener.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (!this.options.isUp()) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    this.ssh.injectSocket(socket);
  }

  private serve(client: Connection): void {
    client.on('error', () => client.end());
    // The user of the last attempt is the one logged in once the client is ready.
    let user = '';
    client.on('authentication', (context) => {
      user = context.username;
      this.authenticate(context);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (acceptExec, _reject, info) => {
          const stream = acceptExec();
          const command = info.command;
          this.options.onCommand(command);

          const answer = this.options.execute(command);
          if (answer.stdout) stream.write(answer.stdout);
          if (answer.stderr) stream.stderr.write(answer.stderr);
          stream.exit(answer.exitCode);
          stream.end();
        });
        session.on('pty', (_accept, reject) => reject?.());
        session.on('shell', (_accept, reject) => reject());
        session.on('sftp', (accept) => serveSftp(accept(), user, this.options.onFile));
      });
    });
  }

  private authenticate(context: AuthContext): void {
    if (context.method !== 'publickey' || !this.options.usernames.includes(context.username)) {
      context.reject(['publickey']);
      return;
    }

    const offered = utils.parseKey(context.key.data);
    if (offered instanceof Error) {
      context.reject(['publickey']);
      return;
    }
    const wanted = this.options.authorizedKey;
    if (wanted && !sameKey(wanted, context.key.algo, context.key.data)) {
      context.reject(['publickey']);
      return;
    }

    // Without a signature the client only asks whether the key would do.
    if (context.signature === undefined || context.blob === undefined) {
      context.accept();
      return;
    }
    if (offered.verify(context.blob, context.signature, context.hashAlgo) === true) {
      context.accept();
    } else {
      context.reject(['publickey']);
    }
  }
}

function sameKey(wanted: ParsedKey, algo: string, data: Buffer): boolean {
  const expected = wanted.getPublicSSH();
  const sameType = wanted.type === algo || algo.startsWith('rsa-sha2') && wanted.type === 'ssh-rsa';
  return sameType && expected.length === data.length && timingSafeEqual(expected, data);
}
