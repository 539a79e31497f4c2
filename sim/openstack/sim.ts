import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleControl, type SimControls, type SimSettings } from './control.ts';
import { FaultSwitch, type FaultTrigger, type SimFaults } from './faults.ts';
import { Glance } from './glance.ts';
import { HttpFailure, keystoneFailure, sendFailure, type SimRequest } from './http.ts';
import { Keystone } from './keystone.ts';
import { Networks } from './networks.ts';
import { Nova } from './nova.ts';
import { fillImage, resolveOptions, type OpenStackSimOptions, type SimImage } from './options.ts';
import { ServerFleet } from './servers.ts';
import type { CopiedFile } from './sftp.ts';
import { Snapshots } from './snapshots.ts';
import { fleetState, type SimState } from './state.ts';

export interface OpenStackSim extends SimControls {
  /** The auth URL to configure: `http://127.0.0.1:PORT/identity/v3`. */
  readonly url: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly projectName: string;
  readonly projectId: string;
  readonly regions: readonly string[];
  /** Commands run over SSH on one server, in order (kept after the server is deleted). */
  commands(serverId: string): string[];
  /** Files uploaded over SFTP to one server, in order (kept after the server is deleted). */
  files(serverId: string): CopiedFile[];
  failNova(fault: FaultTrigger & { status?: number }): void;
  overLimit(fault: FaultTrigger & { status?: 403 | 413; retryAfterSeconds?: number }): void;
  failBoots(fault: FaultTrigger & { code?: number; message?: string }): void;
  stickInBuild(fault: FaultTrigger): void;
  /** New snapshots stay `saving` for ever. */
  stickSnapshots(fault: FaultTrigger): void;
  /** New snapshots end `killed`. */
  failSnapshots(fault: FaultTrigger): void;
  failDeletes(fault: FaultTrigger & { mode?: 'error' | 'hang' }): void;
  setLatency(ms: number): void;
  setCommandExitCode(command: string, exitCode: number): void;
  /** How long jobs started in the background on a machine run from now on. */
  setJobDuration(ms: number): void;
  /** The server's machine loses its running jobs and temporary files. */
  rebootMachine(serverId: string): void;
  close(): Promise<void>;
}

const SERVICE_ROOTS = [
  { prefix: '/identity/v3', service: 'identity' },
  { prefix: '/compute/v2.1', service: 'compute' },
  { prefix: '/image', service: 'image' },
  { prefix: '/network', service: 'network' },
] as const;

/**
 * Starts the OpenStack stand-in on 127.0.0.1: Keystone v3, Nova v2.1 and Glance v2 on one
 * port, whose catalog points back at itself, and an SSH daemon per server.
 */
export async function startOpenStackSim(options: OpenStackSimOptions = {}): Promise<OpenStackSim> {
  const config = resolveOptions(options);
  const faults = new FaultSwitch();
  const fleet = new ServerFleet(config, faults);
  const endpointHits: Record<string, number> = {};
  let rejectedTokens = 0;
  const roots = { origin: '' };
  const keystone = new Keystone(config, roots);
  const snapshots = new Snapshots(config, faults);
  const nova = new Nova(config, fleet, faults, keystone.userId, snapshots);
  const glance = new Glance(config);
  const networks = new Networks(config);

  const controls: SimControls = {
    state: (): SimState => ({
      ...fleetState(fleet),
      images: config.images.map(({ id, name, status }) => ({ id, name, status })),
      tokensIssued: keystone.tokensIssued,
      rejectedTokens,
      maxInstances: config.maxInstances,
      faults: faults.current(),
      endpointHits: { ...endpointHits },
    }),
    setFaults: (change) => faults.set(change),
    clearFaults: () => faults.clear(),
    revokeTokens: () => keystone.revokeAll(),
    setSettings: (settings: SimSettings) => {
      if (settings.maxInstances !== undefined) config.maxInstances = settings.maxInstances;
      if (settings.bootDelayMs !== undefined) config.bootDelayMs = settings.bootDelayMs;
      if (settings.deleteDelayMs !== undefined) config.deleteDelayMs = settings.deleteDelayMs;
      if (settings.snapshotDelayMs !== undefined) {
        config.snapshotDelayMs = settings.snapshotDelayMs;
      }
      if (settings.jobDurationMs !== undefined) config.ssh.jobDurationMs = settings.jobDurationMs;
      Object.assign(config.ssh.commandExitCodes, settings.commandExitCodes);
    },
    addImage: (image: SimImage) => {
      const filled = fillImage(image);
      config.images.push(filled);
      return filled;
    },
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', roots.origin);
    let path = url.pathname;

    if (path.startsWith('/_sim/')) {
      await handleControl(simRequest(request, url, path.slice('/_sim'.length), ''), response,
        controls);
      return;
    }

    // Endpoints other than the first region's public ones carry a prefix naming them.
    let endpoint = `${config.regions[0]}/public`;
    let prefix = '';
    const prefixed = /^(\/endpoints\/([^/]+)\/(public|internal|admin))(\/.*)$/.exec(path);
    if (prefixed) {
      prefix = prefixed[1] ?? '';
      endpoint = `${decodeURIComponent(prefixed[2] ?? '')}/${prefixed[3]}`;
      path = prefixed[4] ?? '/';
    }

    const root = SERVICE_ROOTS.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));
    if (!root) {
      throw new HttpFailure(404, '404 Not Found', { 'Content-Type': 'text/plain' });
    }
    const hit = `${root.service} ${endpoint}`;
    endpointHits[hit] = (endpointHits[hit] ?? 0) + 1;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);

    const base = `${roots.origin}${prefix}${root.prefix}`;
    const inner = simRequest(request, url, path.slice(root.prefix.length), base);
    if (root.service === 'identity') {
      await keystone.handle(inner, response);
      return;
    }

    const token = request.headers['x-auth-token'];
    if (!keystone.isValid(typeof token === 'string' ? token : undefined)) {
      rejectedTokens += 1;
      const failure = keystoneFailure(401, 'Unauthorized',
        'The request you have made requires authentication.');
      failure.headers['WWW-Authenticate'] = `Keystone uri="${roots.origin}/identity/v3"`;
      throw failure;
    }
    if (root.service === 'compute') await nova.handle(inner, response);
    else if (root.service === 'network') await networks.handle(inner, response);
    else await glance.handle(inner, response);
  };

  const http = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (error instanceof HttpFailure) {
        sendFailure(response, error);
        return;
      }
      config.log?.error({ err: error, url: request.url }, 'sim: request failed');
      sendFailure(response, new HttpFailure(500, 'internal error in the OpenStack sim'));
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  roots.origin = `http://127.0.0.1:${port}`;

  const fire = <K extends keyof SimFaults>(key: K) => (fault: SimFaults[K]) =>
    faults.set({ [key]: fault });

  return {
    ...controls,
    url: `${roots.origin}/identity/v3`,
    port,
    username: config.username,
    password: config.password,
    projectName: config.projectName,
    projectId: config.projectId,
    regions: config.regions,
    commands: (serverId) => [...(fleet.history.get(serverId)?.commands ?? [])],
    files: (serverId) => (fleet.history.get(serverId)?.files ?? []).map((file) => ({ ...file })),
    failNova: fire('novaErrors'),
    overLimit: fire('overLimit'),
    failBoots: fire('bootErrors'),
    stickInBuild: fire('stuckInBuild'),
    stickSnapshots: fire('stuckSnapshots'),
    failSnapshots: fire('snapshotErrors'),
    failDeletes: fire('deleteFailures'),
    setLatency: (ms) => faults.set({ latencyMs: ms }),
    setCommandExitCode: (command, exitCode) => {
      config.ssh.commandExitCodes[command] = exitCode;
    },
    setJobDuration: (ms) => {
      config.ssh.jobDurationMs = ms;
    },
    rebootMachine: (serverId) => fleet.reboot(serverId),
    async close() {
      snapshots.close();
      http.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => http.close(() => resolve())),
        fleet.close(),
      ]);
    },
  };
}

function simRequest(request: IncomingMessage, url: URL, path: string, base: string): SimRequest {
  return {
    method: request.method ?? 'GET',
    path,
    query: url.searchParams,
    headers: request.headers,
    raw: request,
    base,
  };
}
