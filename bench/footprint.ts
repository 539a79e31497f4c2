import { resolve } from 'node:path';

import {
  commandOf,
  descendantsOf,
  holdsOpen,
  readProcess,
  type ProcessReading,
} from './processes.ts';

/** A process the bench started, by the name the stack gave it. */
export interface Watched {
  name: string;
  pid: number;
}

export interface ProcessFootprint {
  name: string;
  pid: number;
  peakRssMb: number;
}

export interface Footprint {
  processes: ProcessFootprint[];
  /** The highest peak RSS of any one process. */
  rssMbPeak: number;
  /** The highest sum of every process's RSS at one sample. */
  rssMbTotalPeak: number;
  /** Most processes holding the SQLite database open at once; null for other databases. */
  sqliteHoldersPeak: number | null;
  samples: number;
}

/** CPU and run-queue time per process name, for the difference between two moments. */
export type CpuSnapshot = Map<string, { cpuMs: number; runQueueMs: number }>;

export interface FootprintSampler {
  /** Watches one more process from now on, e.g. a submitter started for one phase. */
  add(process: Watched): void;
  /** CPU used so far by every watched process and its descendants. */
  cpu(): CpuSnapshot;
  stop(): Footprint;
}

/**
 * Samples every watched process and its descendants (action containers, say) on a timer:
 * resident memory from /proc/PID/status (VmHWM, the kernel's own peak, so that nothing
 * between samples is missed) and, for SQLite, which processes hold the database file open.
 */
export function sampleFootprint(
  initial: readonly Watched[],
  options: { intervalMs: number; sqliteFile?: string },
): FootprintSampler {
  const watched = [...initial];
  const peaks = new Map<number, ProcessFootprint>();
  const files = options.sqliteFile
    ? new Set(['', '-wal', '-shm'].map((suffix) => resolve(options.sqliteFile + suffix)))
    : undefined;
  let totalPeakKb = 0;
  let holdersPeak = 0;
  let samples = 0;

  const tree = () =>
    watched.flatMap(({ name, pid }) => [
      { name, pid },
      ...descendantsOf(pid).map((child) => ({ name: `${name}/${commandOf(child)}`, pid: child })),
    ]);

  const sample = () => {
    samples += 1;
    let totalKb = 0;
    let holders = 0;
    for (const { name, pid } of tree()) {
      const reading = readProcess(pid);
      if (!reading) continue;
      totalKb += reading.rssKb;
      const peak = peaks.get(pid) ?? { name, pid, peakRssMb: 0 };
      peak.peakRssMb = Math.max(peak.peakRssMb, reading.hwmKb / 1024);
      peaks.set(pid, peak);
      if (files && holdsOpen(pid, files)) holders += 1;
    }
    totalPeakKb = Math.max(totalPeakKb, totalKb);
    holdersPeak = Math.max(holdersPeak, holders);
  };

  sample();
  const timer = setInterval(sample, options.intervalMs);

  return {
    add(process) {
      watched.push(process);
    },
    cpu() {
      const snapshot: CpuSnapshot = new Map();
      for (const { name, pid } of tree()) {
        const reading: ProcessReading | null = readProcess(pid);
        if (!reading) continue;
        const sum = snapshot.get(name) ?? { cpuMs: 0, runQueueMs: 0 };
        sum.cpuMs += reading.cpuMs;
        sum.runQueueMs += reading.runQueueMs;
        snapshot.set(name, sum);
      }
      return snapshot;
    },
    stop() {
      clearInterval(timer);
      sample();
      const processes = [...peaks.values()].sort((a, b) => b.peakRssMb - a.peakRssMb);
      return {
        processes,
        rssMbPeak: processes[0]?.peakRssMb ?? 0,
        rssMbTotalPeak: totalPeakKb / 1024,
        sqliteHoldersPeak: files ? holdersPeak : null,
        samples,
      };
    },
  };
}

/** CPU and run-queue time each process name spent between two snapshots. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  const spent: CpuSnapshot = new Map();
  for (const [name, end] of after) {
    const start = before.get(name) ?? { cpuMs: 0, runQueueMs: 0 };
    spent.set(name, {
      cpuMs: Math.max(0, end.cpuMs - start.cpuMs),
      runQueueMs: Math.max(0, end.runQueueMs - start.runQueueMs),
    });
  }
  return spent;
}
