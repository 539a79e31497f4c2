/** What the bench reads from the stand-ins' own test APIs and from the pool's stream. */
import { setTimeout as sleep } from 'node:timers/promises';

import { jetstreamManager } from '@nats-io/jetstream';

import { WORK_STREAM } from '../lib/events/subjects.ts';
import { connectNats } from '../lib/nats/connect.ts';
import type { TestPool } from '../test/support/pool-config.ts';
import type { JenkinsBuild, ServerRecord } from './latency.ts';
import { BENCH_LABELS, BENCH_MIN_READY } from './pool-config.ts';

/** Every label at min-ready agents, all online and idle, and nothing else in Jenkins. */
export async function waitSettled(pool: TestPool, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const want = BENCH_LABELS.length * BENCH_MIN_READY;
  while (Date.now() < deadline) {
    const response = await fetch(`${pool.jenkinsUrl}/computer/api/json`, {
      headers: { authorization: pool.jenkinsAuth },
    });
    const body = (await response.json()) as {
      computer: { displayName: string; offline: boolean; idle: boolean }[];
    };
    const agents = body.computer.filter((c) => c.displayName !== 'master');
    if (agents.length === want && agents.every((c) => !c.offline && c.idle)) return;
    await sleep(200);
  }
  throw new Error(`bench: the pool did not settle at ${want} ready agents in ${timeoutMs} ms`);
}

export interface CloudState {
  servers: ServerRecord[];
  live: number;
  peakServers: number;
}

export async function cloudState(pool: TestPool): Promise<CloudState> {
  const response = await fetch(`${pool.openstackUrl}/_sim/state`);
  const body = (await response.json()) as {
    servers: unknown[];
    peakServers: number;
    history: ServerRecord[];
  };
  return { servers: body.history, live: body.servers.length, peakServers: body.peakServers };
}

export async function simBuilds(pool: TestPool): Promise<JenkinsBuild[]> {
  const response = await fetch(`${pool.jenkinsUrl}/_sim/builds`);
  const body = (await response.json()) as {
    builds: { nodeName: string; finalizedAt?: string }[];
  };
  return body.builds.map((build) => ({
    nodeName: build.nodeName,
    finalizedAt: build.finalizedAt === undefined ? undefined : Date.parse(build.finalizedAt),
  }));
}

/** Messages the pool's work stream has taken so far (its last sequence number). */
export async function streamMessages(natsUrl: string): Promise<number | null> {
  const nc = await connectNats(natsUrl, 'whiskpool-bench');
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(WORK_STREAM)).state.last_seq;
  } catch {
    return null;
  } finally {
    await nc.close();
  }
}

export async function postJson(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`bench: POST ${url} answered ${response.status}`);
}
