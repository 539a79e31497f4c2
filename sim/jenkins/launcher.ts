import { isIP, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LaunchPolicy {
  /** How many times to try reaching the machine before giving up. */
  attempts: number;
  retryDelayMs: number;
  /** How long one attempt may take to connect and read the banner. */
  attemptTimeoutMs: number;
  /**
   * False brings every agent online without connecting to its machine, and takes agents
   * whose launcher names no host. Only for a cloud whose machines have no address at all
   * (Nova's fake driver), which no Jenkins could reach. Default true.
   */
  connect?: boolean;
}

export const DEFAULT_LAUNCH_POLICY: LaunchPolicy = {
  attempts: 30,
  retryDelayMs: 1000,
  attemptTimeoutMs: 5000,
  connect: true,
};

/** What an agent launched without a connection reports in place of the SSH banner. */
export const UNCONNECTED_BANNER = 'none: launched without connecting to the machine';

/** RFC 4253 lets a server send other lines before its version; this bounds how much we read. */
const MAX_BANNER_BYTES = 8192;

/**
 * Does what Jenkins' SSH launcher does first: connects to the machine's SSH endpoint and
 * reads the server's `SSH-` version line. Resolves with that line; rejects with the reason.
 */
export function readSshBanner(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!isLoopback(host)) {
      reject(new Error(`${host} is not a loopback address; the stand-in only connects to those`));
      return;
    }

    const socket = connect({ host, port });
    let received = '';
    const silence = () => finish(new Error(`no SSH banner within ${timeoutMs} ms`));
    const timer = setTimeout(silence, timeoutMs);

    function finish(error: Error | undefined, banner?: string) {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(banner ?? '');
    }

    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const lines = received.split('\n');
      const banner = lines.slice(0, -1).find((line) => line.startsWith('SSH-'));
      if (banner !== undefined) finish(undefined, banner.replace(/\r$/, ''));
      else if (received.length > MAX_BANNER_BYTES) finish(new Error('no SSH banner in answer'));
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error('connection closed before an SSH banner')));
  });
}

/**
 * Tries to reach the machine until it answers or the attempts run out.
 * Resolves with the banner, or with the last reason when it never answered or was cancelled.
 */
export async function launch(
  host: string,
  port: number,
  policy: LaunchPolicy,
  signal: AbortSignal,
): Promise<{ banner: string } | { failure: string }> {
  if (policy.connect === false) return { banner: UNCONNECTED_BANNER };

  let failure = 'not tried';

  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (signal.aborted) return { failure: 'cancelled' };

    try {
      return { banner: await readSshBanner(host, port, policy.attemptTimeoutMs) };
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }

    if (attempt < policy.attempts) {
      await sleep(policy.retryDelayMs, undefined, { signal }).catch(() => undefined);
    }
  }

  return { failure };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
