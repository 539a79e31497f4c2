import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

export interface Machine {
  nproc: number;
  model: string;
  memoryGb: number;
  node: string;
}

/** The machine the figures came from, as /proc and Node report it. */
export function describeMachine(): Machine {
  let model = 'unknown';
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? model;
  } catch {
    // Not Linux: the model stays unknown.
  }
  return {
    nproc: availableParallelism(),
    model,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
  };
}
