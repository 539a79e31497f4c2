import { randomBytes, randomUUID } from 'node:crypto';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { newEd25519KeyPair } from '../../lib/ssh/keys.ts';
import type { FaultSwitch } from './faults.ts';
import type { ResolvedOptions, SimFlavor } from './options.ts';
import type { CopiedFile } from './sftp.ts';
import { MachineShell } from './shell.ts';
import { SshEndpoint } from './ssh-endpoint.ts';

const { utils } = ssh2;

export type SimStatus = 'BUILD' | 'ACTIVE' | 'ERROR';

export interface SimServer {
  id: string;
  name: string;
  imageId: string;
  flavor: SimFlavor;
  metadata: Record<string, string>;
  availabilityZone: string;
  /** Network names the server has an address on. */
  networkNames: string[];
  keyName: string | null;
  configDrive: boolean;
  status: SimStatus;
  taskState: string | null;
  fault?: { code: number; message: string; details: string; created: string };
  created: string;
  updated: string;
  launchedAt: string | null;
  hostId: string;
  ssh: SshEndpoint;
  /** When sshd answers: boot time plus the configured SSH delay. */
  sshUpAt: number | undefined;
  commands: string[];
}

/** What happened to one server, in epoch ms. */
export interface ServerHistory {
  id: string;
  name: string;
  createdAt: number;
  activeAt?: number;
  errorAt?: number;
  deleteRequestedAt?: number;
  deletedAt?: number;
  /** Every command run over SSH, in order. */
  commands: string[];
  /** Every file uploaded over SFTP, in order. */
  files: CopiedFile[];
}

export interface NewServer {
  name: string;
  imageId: string;
  flavor: SimFlavor;
  metadata: Record<string, string>;
  availabilityZone: string;
  networkNames: string[];
  keyName: string | null;
  configDrive: boolean;
}

/** Metadata key through which a simulated server tells its SSH port. */
export const SSH_PORT_KEY = 'ssh-port';

/**
 * The simulated hypervisors: servers, their boot and deletion timers, their SSH daemons, and
 * the record of everything that happened for tests to read.
 */
export class ServerFleet {
  readonly servers = new Map<string, SimServer>();
  readonly history = new Map<string, ServerHistory>();
  private readonly shells = new Map<string, MachineShell>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly removing = new Set<string>();
  private readonly hostKey = newEd25519KeyPair().private;
  private readonly authorizedKey: ParsedKey | undefined;
  private createdTotal = 0;
  private peak = 0;
  private closed = false;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly faults: FaultSwitch,
  ) {
    const key = options.ssh.authorizedKey;
    if (key !== undefined) {
      const parsed = utils.parseKey(key);
      if (parsed instanceof Error || Array.isArray(parsed)) {
        throw new Error(`ssh.authorizedKey is not a public key: ${String(parsed)}`);
      }
      this.authorizedKey = parsed;
    }
  }

  /** The machine's jobs and temporary files are lost, as in a reboot; it stays ACTIVE. */
  reboot(id: string): void {
    this.shells.get(id)?.reboot();
  }

  get everCreated(): number {
    return this.createdTotal;
  }

  get peakHeld(): number {
    return this.peak;
  }

  async create(spec: NewServer): Promise<SimServer> {
    const id = randomUUID();
    const now = new Date();
    const history: ServerHistory = {
      id,
      name: spec.name,
      createdAt: now.getTime(),
      commands: [],
      files: [],
    };

    const shell = new MachineShell({
      exitCodeFor: (command) => this.exitCodeFor(command),
      jobDurationMs: () => this.options.ssh.jobDurationMs,
      later: (ms, work) => this.later(ms, () => this.servers.has(id) && work()),
    });
    this.shells.set(id, shell);
    const ssh = await SshEndpoint.start({
      hostKey: this.hostKey,
      ident: `whiskpool-sim-machine-${id}`,
      usernames: this.options.ssh.usernames,
      authorizedKey: this.authorizedKey,
      isUp: () => this.sshIsUp(id),
      execute: (command) => shell.execute(command),
      onCommand: (command) => history.commands.push(command),
      onFile: (file) => history.files.push(file),
    });

    const server: SimServer = {
      ...spec,
      id,
      metadata: { ...spec.metadata, [SSH_PORT_KEY]: String(ssh.port) },
      status: 'BUILD',
      taskState: 'scheduling',
      created: iso(now),
      updated: iso(now),
      launchedAt: null,
      hostId: '',
      ssh,
      sshUpAt: undefined,
      commands: history.commands,
    };
    this.servers.set(id, server);
    this.history.set(id, history);
    this.createdTotal += 1;
    this.peak = Math.max(this.peak, this.servers.size);

    this.scheduleBoot(server);
    return server;
  }

  /**
   * Starts deletion; `hang` leaves the server deleting until a later request that does not
   * hang, as when a compute host comes back and the delete is retried.
   */
  requestDelete(server: SimServer, hang: boolean): void {
    const history = this.history.get(server.id);
    if (history && history.deleteRequestedAt === undefined) history.deleteRequestedAt = Date.now();

    server.taskState = 'deleting';
    server.updated = iso(new Date());
    if (hang || this.removing.has(server.id)) return;

    this.removing.add(server.id);
    if (this.options.deleteDelayMs <= 0) {
      void this.remove(server.id);
      return;
    }
    this.later(this.options.deleteDelayMs, () => void this.remove(server.id));
  }

  async remove(id: string): Promise<void> {
    const server = this.servers.get(id);
    if (!server) return;

    this.servers.delete(id);
    this.shells.delete(id);
    this.removing.delete(id);
    const history = this.history.get(id);
    if (history) history.deletedAt = Date.now();
    await server.ssh.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.servers.values()].map((server) => server.ssh.close()));
  }

  coresUsed(): number {
    return [...this.servers.values()].reduce((sum, server) => sum + server.flavor.vcpus, 0);
  }

  ramUsed(): number {
    return [...this.servers.values()].reduce((sum, server) => sum + server.flavor.ram, 0);
  }

  private scheduleBoot(server: SimServer): void {
    const bootError = this.faults.fire('bootErrors');
    const stuck = bootError === undefined && this.faults.fire('stuckInBuild') !== undefined;
    server.taskState = 'spawning';
    if (stuck) return;

    const finish = () => {
      if (!this.servers.has(server.id) || server.taskState === 'deleting') return;
      const now = new Date();
      const history = this.history.get(server.id);
      server.updated = iso(now);

      if (bootError) {
        server.status = 'ERROR';
        server.taskState = null;
        server.fault = {
          code: bootError.code ?? 500,
          message: bootError.message ?? 'No valid host was found. ',
          details: '',
          created: iso(now),
        };
        if (history) history.errorAt = now.getTime();
        return;
      }

      server.status = 'ACTIVE';
      server.taskState = null;
      server.launchedAt = iso(now);
      server.hostId = randomBytes(28).toString('hex');
      server.sshUpAt = now.getTime() + this.options.ssh.readyDelayMs;
      if (history) history.activeAt = now.getTime();
    };

    if (this.options.bootDelayMs <= 0) finish();
    else this.later(this.options.bootDelayMs, finish);
  }

  private sshIsUp(id: string): boolean {
    const server = this.servers.get(id);
    return (
      server !== undefined &&
      server.status === 'ACTIVE' &&
      server.taskState !== 'deleting' &&
      server.sshUpAt !== undefined &&
      Date.now() >= server.sshUpAt
    );
  }

  private exitCodeFor(command: string): number {
    const codes = this.options.ssh.commandExitCodes;
    const exact = codes[command];
    if (exact !== undefined) return exact;

    const partial = Object.entries(codes).find(([pattern]) => command.includes(pattern));
    return partial ? partial[1] : 0;
  }

  private later(ms: number, work: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, ms);
    this.timers.add(timer);
  }
}

/** Nova's timestamp form: seconds, UTC, `Z`. */
export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
