import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

import { Publisher as ZmqPublisher } from 'zeromq';

import { startJenkinsBridge } from '../../../bridges/jenkins/bridge.ts';
import { WORK_STREAM } from '../../../lib/events/subjects.ts';
import { createLogger } from '../../../lib/log.ts';
import { connectNats } from '../../../lib/nats/connect.ts';
import { createPublisher } from '../../../lib/nats/publish.ts';
import { ensureStreams } from '../../../lib/nats/streams.ts';
import { GOOD_STARTED } from '../zmq-frames.ts';

export interface BridgeRun {
  /** The bridge's own count of malformed frames, from its onFrame hook. */
  malformed: number;
  /** Its log lines about malformed frames, in order. */
  warnings: { msg: string; err: string }[];
  /** Messages in the work stream before the bad frames, after them, and after a good one. */
  stored: { before: number; afterBad: number; afterGood: number };
}

/**
 * Starts the real jenkins bridge on a real ZMQ publisher and a real nats-server, sends it the
 * frames, then one good frame, and reports what the bridge did with them.
 */
export async function runFramesThroughBridge(
  natsUrl: string,
  frames: readonly (string | Buffer)[],
): Promise<BridgeRun> {
  const nc = await connectNats(natsUrl, 'corpus-jenkins-bridge');
  const jsm = await ensureStreams(nc);
  const zmq = new ZmqPublisher({ linger: 0 });
  await zmq.bind('tcp://127.0.0.1:0');

  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });

  const counts = { malformed: 0, published: 0 };
  const bridge = startJenkinsBridge({
    publishers: [zmq.lastEndpoint!],
    publisher: createPublisher(nc),
    log: createLogger({ name: 'corpus', level: 'warn', destination, sync: true }),
    onFrame(outcome) {
      if (outcome === 'malformed') counts.malformed += 1;
      if (outcome === 'published') counts.published += 1;
    },
  });

  try {
    // A PUB socket drops frames until the subscription arrives: send good frames until one
    // comes through, so that none of the bad ones is lost to the handshake.
    let number = 1000;
    while (counts.published === 0) {
      await zmq.send(goodFrame(number++));
      await sleep(100);
      if (number > 1100) throw new Error('the bridge never received a frame');
    }
    const before = await stored();

    for (const frame of frames) await zmq.send(frame);
    await waitUntil(() => counts.malformed + counts.published - 1 >= frames.length);
    const afterBad = await stored();

    await zmq.send(goodFrame(1));
    await waitUntil(() => counts.malformed + counts.published - 1 > frames.length);
    const afterGood = await stored();

    return {
      malformed: counts.malformed,
      warnings: lines
        .filter((line) => line.msg === 'malformed ZMQ frame')
        .map((line) => ({ msg: String(line.msg), err: String(line.err) })),
      stored: { before, afterBad, afterGood },
    };
  } finally {
    await bridge.stop();
    zmq.close();
    await nc.drain();
  }

  async function stored() {
    return (await jsm.streams.info(WORK_STREAM)).state.messages;
  }
}

function goodFrame(number: number): string {
  // Each its own URL: the bridge's message id is made of it, and JetStream drops repeats.
  const build = { ...GOOD_STARTED.build, number, url: `job/test/${number}/` };
  const event = { ...GOOD_STARTED, build };
  return `onStarted ${JSON.stringify(event)}`;
}

async function waitUntil(done: () => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('the bridge did not get through the frames');
    await sleep(50);
  }
}
