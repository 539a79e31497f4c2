/**
 * Turns the stand-ins' own records into the bench's figures. Times are epoch milliseconds
 * from one machine's clock: the stand-ins and the submitter run on the same host.
 */

/** A build as the Zuul-like submitter recorded it. */
export interface SubmittedBuild {
  outcome: string;
  nodeName?: string;
  submittedAt?: number;
}

/** A build as the Jenkins stand-in recorded it. */
export interface JenkinsBuild {
  nodeName: string;
  finalizedAt?: number;
}

/** A server as the OpenStack stand-in recorded it; names are unique per node. */
export interface ServerRecord {
  name: string;
  createdAt: number;
  deleteRequestedAt?: number;
  deletedAt?: number;
}

/** Jenkins publishing `onFinalized` -> the stand-in receiving Nova's DELETE, per build. */
export function finalizeToDelete(
  builds: readonly JenkinsBuild[],
  servers: readonly ServerRecord[],
): number[] {
  const byName = new Map(servers.map((server) => [server.name, server]));
  const spans: number[] = [];
  for (const build of builds) {
    const deleted = byName.get(build.nodeName)?.deleteRequestedAt;
    if (build.finalizedAt === undefined || deleted === undefined) continue;
    spans.push(deleted - build.finalizedAt);
  }
  return spans;
}

/** One machine life cycle: the build submitted to Gearman -> its machine gone from the cloud. */
export interface Lifecycle {
  start: number;
  end: number;
}

export function lifecycles(
  builds: readonly SubmittedBuild[],
  servers: readonly ServerRecord[],
): Lifecycle[] {
  const byName = new Map(servers.map((server) => [server.name, server]));
  const found: Lifecycle[] = [];
  for (const build of builds) {
    if (build.outcome !== 'complete' || !build.nodeName || build.submittedAt === undefined) {
      continue;
    }
    const end = byName.get(build.nodeName)?.deletedAt;
    if (end !== undefined) found.push({ start: build.submittedAt, end });
  }
  return found;
}

export interface Throughput {
  /** Life cycles over first submission -> last machine gone. */
  whole: number;
  /** Life cycles ended per second between the 10th and the 90th percentile of the ends. */
  steady: number;
  seconds: number;
}

export function throughputOf(cycles: readonly Lifecycle[]): Throughput {
  if (cycles.length === 0) return { whole: 0, steady: 0, seconds: 0 };
  const first = Math.min(...cycles.map((cycle) => cycle.start));
  const ends = cycles.map((cycle) => cycle.end).sort((a, b) => a - b);
  const seconds = ((ends[ends.length - 1] ?? first) - first) / 1000;

  const low = Math.floor(ends.length * 0.1);
  const high = Math.ceil(ends.length * 0.9) - 1;
  const window = ((ends[high] ?? 0) - (ends[low] ?? 0)) / 1000;
  return {
    whole: seconds > 0 ? cycles.length / seconds : 0,
    steady: window > 0 ? (high - low) / window : 0,
    seconds,
  };
}

/** A submission and the server create it is paired with. */
export interface DemandPair {
  submittedAt: number;
  createdAt: number;
  server: string;
}

/**
 * New demand -> a server create: each submission is paired with the earliest server created
 * at or after it that no earlier submission took. Meaningful only while submissions come
 * slower than the pool answers them and max-servers does not hold creates back; `unmatched`
 * counts submissions left without a create.
 */
export function demandToCreate(
  submittedAt: readonly number[],
  servers: readonly Pick<ServerRecord, 'name' | 'createdAt'>[],
): { pairs: DemandPair[]; unmatched: number } {
  const submissions = [...submittedAt].sort((a, b) => a - b);
  const creates = [...servers].sort((a, b) => a.createdAt - b.createdAt);
  const pairs: DemandPair[] = [];
  let next = 0;
  let unmatched = 0;
  for (const submitted of submissions) {
    while (next < creates.length && (creates[next]?.createdAt ?? 0) < submitted) next += 1;
    const server = creates[next];
    if (server === undefined) {
      unmatched += 1;
      continue;
    }
    pairs.push({ submittedAt: submitted, createdAt: server.createdAt, server: server.name });
    next += 1;
  }
  return { pairs, unmatched };
}

/** A pool message seen going by (see trace.ts). */
export interface MessageSighting {
  subject: string;
  at: number;
  data: Record<string, unknown>;
}

/**
 * Where demand -> create goes: waiting for the Gearman bridge's next poll to publish it,
 * the reconcile that turns it into a spawn message, and the spawn that calls Nova.
 */
export function demandStages(
  pairs: readonly DemandPair[],
  demand: readonly MessageSighting[],
  spawns: readonly MessageSighting[],
): Record<'poll' | 'reconcile' | 'spawn', number[]> {
  const stages = { poll: [] as number[], reconcile: [] as number[], spawn: [] as number[] };
  const spawnOf = new Map(spawns.map((sighting) => [Number(sighting.data.nodeId), sighting.at]));
  const published = [...demand].sort((a, b) => a.at - b.at);

  for (const pair of pairs) {
    const snapshot = published.find((s) => Number(s.data.at) >= pair.submittedAt);
    const spawned = spawnOf.get(nodeIdOf(pair.server) ?? -1);
    if (!snapshot || spawned === undefined || spawned < snapshot.at) continue;
    stages.poll.push(snapshot.at - pair.submittedAt);
    stages.reconcile.push(spawned - snapshot.at);
    stages.spawn.push(pair.createdAt - spawned);
  }
  return stages;
}

/**
 * Where onFinalized -> DELETE goes: the ZMQ event to the Jenkins bridge's message, then
 * the dispatcher and the delete action up to Nova's DELETE.
 */
export function finalizeStages(
  builds: readonly JenkinsBuild[],
  servers: readonly ServerRecord[],
  finalized: readonly MessageSighting[],
): Record<'bridge' | 'delete', number[]> {
  const stages = { bridge: [] as number[], delete: [] as number[] };
  const byName = new Map(servers.map((server) => [server.name, server]));
  const seen = new Map(finalized.map((sighting) => [String(sighting.data.nodeName), sighting.at]));

  for (const build of builds) {
    const relayed = seen.get(build.nodeName);
    const deleted = byName.get(build.nodeName)?.deleteRequestedAt;
    if (build.finalizedAt === undefined || relayed === undefined || deleted === undefined) continue;
    stages.bridge.push(relayed - build.finalizedAt);
    stages.delete.push(deleted - relayed);
  }
  return stages;
}

/** The node id a server's name ends with (`{label}-{node_id}`), as the pool names them. */
export function nodeIdOf(serverName: string): number | null {
  const id = /-(\d+)$/.exec(serverName)?.[1];
  return id === undefined ? null : Number(id);
}
