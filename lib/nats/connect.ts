import { connect, type NatsConnection } from '@nats-io/transport-node';

export type { NatsConnection };

/**
 * Connects for a long-lived process: never gives up reconnecting, because a bridge that stops
 * after ten failed attempts (the library's default) would silently drop every later event.
 */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
  });
}
