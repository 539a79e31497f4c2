import { createSocket } from 'node:dgram';

export interface StatsdLine {
  name: string;
  value: number;
  /** `c` counter, `ms` timer, `g` gauge. */
  type: string;
}

export interface StatsdSink {
  port: number;
  lines: StatsdLine[];
  /** Lines of one name, in the order received. */
  named(name: string): StatsdLine[];
  /** The last value a gauge was set to. */
  gauge(name: string): number | undefined;
  close(): Promise<void>;
}

/** A statsd server as far as the pool can tell: a UDP socket on 127.0.0.1 that keeps lines. */
export async function startStatsdSink(): Promise<StatsdSink> {
  const socket = createSocket('udp4');
  const lines: StatsdLine[] = [];

  socket.on('message', (datagram) => {
    for (const text of datagram.toString('utf8').split('\n')) {
      const match = /^([^:]+):(-?[\d.]+)\|(\w+)$/.exec(text);
      if (match) lines.push({ name: match[1]!, value: Number(match[2]), type: match[3]! });
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));

  return {
    port: socket.address().port,
    lines,
    named: (name) => lines.filter((line) => line.name === name),
    gauge: (name) => lines.filter((l) => l.name === name && l.type === 'g').at(-1)?.value,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
