import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports below this are left alone: the well-known and the commonly configured ones. */
const LOWEST = 10_000;
const TRIES = 50;

/** Ports this process handed out already: each is for a server that may not listen yet. */
const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 for a server that will listen on it soon, none of `avoid` (ports
 * others are about to listen on). It is taken below the
 * kernel's ephemeral range: a port there may be given to an outgoing connection in the moment
 * between this check and the server binding it, and the server then fails with EADDRINUSE.
 */
export async function freePort(avoid: ReadonlySet<number> = new Set()): Promise<number> {
  const highest = ephemeralRangeStart() - 1;
  for (let i = 0; i < TRIES && highest > LOWEST; i++) {
    const port = LOWEST + Math.floor(Math.random() * (highest - LOWEST + 1));
    if (handedOut.has(port) || avoid.has(port)) continue;
    // Claimed before the check, so that calls made at once never get the same port.
    handedOut.add(port);
    if (!(await portInUse(port))) return port;
  }
  return kernelPickedPort();
}

/** Whether something already listens on `port` of 127.0.0.1. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(true);
      else reject(error);
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** Linux says where its ephemeral ports start; elsewhere IANA's range is assumed. */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > 0 ? port : 49_152;
  } catch {
    return 49_152;
  }
}

function kernelPickedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
