import { setTimeout as sleep } from 'node:timers/promises';

import { Subscriber } from 'zeromq';

import type { BuildMessage } from '../../lib/events/messages.ts';
import { Subject } from '../../lib/events/subjects.ts';
import {
  offlineWhenComplete,
  parseBuildEvent,
  type BuildEvent,
} from '../../lib/jenkins/build-event.ts';
import type { Logger } from '../../lib/log.ts';
import type { Publisher } from '../../lib/nats/publish.ts';

const SUBJECTS = {
  started: Subject.BuildStarted,
  completed: Subject.BuildCompleted,
  finalized: Subject.BuildFinalized,
} as const;

export interface JenkinsBridgeOptions {
  /** `tcp://host:port` of each Jenkins ZMQ event publisher. */
  publishers: string[];
  publisher: Publisher;
  log: Logger;
  onFrame?(outcome: 'published' | 'ignored' | 'malformed' | 'unpublished'): void;
}

export interface JenkinsBridge {
  stop(): Promise<void>;
}

/**
 * Subscribes to every Jenkins ZMQ event publisher and republishes build events into
 * JetStream. ZeroMQ reconnects by itself when Jenkins restarts; frames sent while we were
 * away are lost, which the sweep makes up for by asking Jenkins directly.
 */
export function startJenkinsBridge(options: JenkinsBridgeOptions): JenkinsBridge {
  const { log } = options;
  const sockets = options.publishers.map((address) => {
    const socket = new Subscriber({ reconnectInterval: 250, reconnectMaxInterval: 5000 });
    socket.connect(address);
    socket.subscribe();
    return { address, socket };
  });

  let stopping = false;
  const loops = sockets.map(({ address, socket }) => receive(address, socket));

  async function receive(address: string, socket: Subscriber) {
    try {
      for await (const frames of socket) {
        await relay(address, frames);
      }
    } catch (error) {
      if (!socket.closed) log.error({ publisher: address, err: error }, 'subscriber failed');
    }
  }

  async function relay(address: string, frames: Buffer[]) {
    let event: BuildEvent;
    try {
      // The plugin sends one frame; a multi-part message is joined as a peer would see it.
      event = parseBuildEvent(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
    } catch (error) {
      log.warn({ publisher: address, err: (error as Error).message }, 'malformed ZMQ frame');
      options.onFrame?.('malformed');
      return;
    }

    if (event.onMaster) {
      options.onFrame?.('ignored');
      return;
    }

    const message: BuildMessage = {
      phase: event.phase,
      job: event.job,
      number: event.number,
      nodeName: event.nodeName,
      status: event.status,
      branch: event.parameters.ZUUL_BRANCH,
      offlineWhenComplete: offlineWhenComplete(event.parameters),
      publisher: address,
      at: Date.now(),
    };
    // One id per build and phase: a frame the plugin sent twice is stored once.
    const id = `${address}|${event.url ?? `${event.job}/${event.number}`}|${event.phase}`;
    try {
      await publishPatiently(() => options.publisher.publish(SUBJECTS[event.phase], message, id));
      options.onFrame?.('published');
    } catch (error) {
      log.error(
        { publisher: address, build: `${event.job}#${event.number}`, err: (error as Error).message },
        'could not publish build event',
      );
      options.onFrame?.('unpublished');
    }
  }

  /**
   * ZeroMQ will not send a frame again, so a build event is worth waiting for NATS to come
   * back (a restart takes seconds); after a minute it is given up to the sweep.
   */
  async function publishPatiently(publish: () => Promise<void>) {
    const deadline = Date.now() + 60_000;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        return await publish();
      } catch (error) {
        if (Date.now() + delay > deadline || stopping) throw error;
        await sleep(delay);
      }
    }
  }

  return {
    async stop() {
      stopping = true;
      for (const { socket } of sockets) socket.close();
      await Promise.allSettled(loops);
    },
  };
}
