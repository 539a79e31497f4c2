import type { SimFaults } from './faults.ts';
import { SSH_PORT_KEY, type ServerFleet, type ServerHistory } from './servers.ts';

export interface SimServerState {
  id: string;
  name: string;
  status: string;
  taskState: string | null;
  metadata: Record<string, string>;
  sshPort: number;
  availabilityZone: string;
  imageId: string;
  flavorId: string;
  /** Names of the networks the server is attached to. */
  networks: string[];
  created: string;
}

/** Everything a test may want to assert on, as plain JSON. */
export interface SimState {
  servers: SimServerState[];
  /** Servers created since start, deleted ones included. */
  everCreated: number;
  /** The most servers held at once, deleting ones included (they still count for quota). */
  peakServers: number;
  /** Glance's images, so that a test can boot one by id. */
  images: { id: string; name: string; status: string }[];
  tokensIssued: number;
  /** Nova and Glance calls refused for a missing, unknown or expired token. */
  rejectedTokens: number;
  maxInstances: number;
  history: ServerHistory[];
  faults: SimFaults;
  /** Calls per endpoint, keyed `service region/interface`, e.g. `compute RegionOne/public`. */
  endpointHits: Record<string, number>;
}

export function fleetState(fleet: ServerFleet) {
  const servers: SimServerState[] = [...fleet.servers.values()].map((server) => ({
    id: server.id,
    name: server.name,
    status: server.status,
    taskState: server.taskState,
    metadata: { ...server.metadata },
    sshPort: Number(server.metadata[SSH_PORT_KEY] ?? server.ssh.port),
    availabilityZone: server.availabilityZone,
    imageId: server.imageId,
    flavorId: server.flavor.id,
    networks: [...server.networkNames],
    created: server.created,
  }));
  const history = [...fleet.history.values()].map((entry) => ({
    ...entry,
    commands: [...entry.commands],
    files: entry.files.map((file) => ({ ...file })),
  }));
  return { servers, everCreated: fleet.everCreated, peakServers: fleet.peakHeld, history };
}
