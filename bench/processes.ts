import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** What /proc says about one process at one moment. */
export interface ProcessReading {
  pid: number;
  /** Resident set now and at its highest so far (VmRSS, VmHWM), in KiB. */
  rssKb: number;
  hwmKb: number;
  /** CPU time used and time spent runnable but waiting for a CPU, in ms (schedstat). */
  cpuMs: number;
  runQueueMs: number;
}

/**
 * Reads /proc/PID/status, and the schedstat of every thread (a Go server or Node's
 * helpers work on threads other than the first); null once the process is gone.
 */
export function readProcess(pid: number): ProcessReading | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    let cpuNs = 0;
    let waitNs = 0;
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [cpu = 0, wait = 0] = readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8')
          .trim()
          .split(/\s+/)
          .map(Number);
        cpuNs += cpu;
        waitNs += wait;
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return {
      pid,
      rssKb: statusField(status, 'VmRSS'),
      hwmKb: statusField(status, 'VmHWM'),
      cpuMs: cpuNs / 1e6,
      runQueueMs: waitNs / 1e6,
    };
  } catch {
    return null;
  }
}

function statusField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/** The process's children (through every thread), and theirs, depth first. */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const thread of threads) {
    let children: string;
    try {
      children = readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
      found.push(child, ...descendantsOf(child));
    }
  }
  return found;
}

/** The short command name of a process, e.g. `node` or `nats-server`. */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Whether the process has any of `paths` open, read from its file descriptors. */
export function holdsOpen(pid: number, paths: ReadonlySet<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (paths.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return true;
    } catch {
      // Closed between the listing and the look.
    }
  }
  return false;
}

/** Pressure stall information: the share of time some runnable task waited for a CPU. */
export function cpuPressure(): { avg10: number; avg60: number } | null {
  try {
    const line = readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0] ?? '';
    const avg10 = /avg10=([\d.]+)/.exec(line)?.[1];
    const avg60 = /avg60=([\d.]+)/.exec(line)?.[1];
    if (avg10 === undefined || avg60 === undefined) return null;
    return { avg10: Number(avg10), avg60: Number(avg60) };
  } catch {
    return null;
  }
}

export function loadAverage(): number[] {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return [];
  }
}
