import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

import type { FollowUp } from '../events/messages.ts';

export interface Publisher {
  publish(subject: string, data: unknown, id?: string): Promise<void>;
  publishAll(events: readonly FollowUp[]): Promise<void>;
}

/** Publishes JSON messages into JetStream and waits for the server to store each one. */
export function createPublisher(nc: NatsConnection): Publisher {
  const js: JetStreamClient = jetstream(nc);

  async function publish(subject: string, data: unknown, id?: string) {
    const payload = JSON.stringify(data);
    await js.publish(subject, payload, id === undefined ? undefined : { msgID: id });
  }

  return {
    publish,
    async publishAll(events) {
      await Promise.all(events.map((event) => publish(event.subject, event.data, event.id)));
    },
  };
}
