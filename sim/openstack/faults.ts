/**
 * How often a fault fires: for the next `count` chances, with probability `rate` each time,
 * both, or (with neither) every time until cleared.
 */
export interface FaultTrigger {
  count?: number;
  rate?: number;
}

export interface SimFaults {
  /** Nova answers any call with this 5xx (default 500). */
  novaErrors?: FaultTrigger & { status?: number };
  /** Server creation refused as over quota: 403 (microversions) or 413 (legacy v2). */
  overLimit?: FaultTrigger & { status?: 403 | 413; retryAfterSeconds?: number };
  /** New servers go to ERROR with this fault instead of ACTIVE. */
  bootErrors?: FaultTrigger & { code?: number; message?: string };
  /** New servers never leave BUILD. */
  stuckInBuild?: FaultTrigger;
  /** Deletes answered with 500 (`error`) or accepted and never finished (`hang`). */
  deleteFailures?: FaultTrigger & { mode?: 'error' | 'hang' };
  /** New snapshots stay `saving` for ever, as when an upload to Glance hangs. */
  stuckSnapshots?: FaultTrigger;
  /** New snapshots end `killed`: Glance failed to store them. */
  snapshotErrors?: FaultTrigger;
  /** Added to every API call, Keystone and Glance included. */
  latencyMs?: number;
}

export type FaultName = Exclude<keyof SimFaults, 'latencyMs'>;

const FAULT_NAMES: readonly FaultName[] = [
  'novaErrors',
  'overLimit',
  'bootErrors',
  'stuckInBuild',
  'deleteFailures',
  'stuckSnapshots',
  'snapshotErrors',
];

/** The faults in force; switched at run time by tests or over `/_sim/faults`. */
export class FaultSwitch {
  private faults: SimFaults = {};

  constructor(private readonly random: () => number = Math.random) {}

  /** Sets the given faults and leaves the others; a key set to null is switched off. */
  set(change: { [K in keyof SimFaults]?: SimFaults[K] | null }): void {
    for (const [key, value] of Object.entries(change) as [keyof SimFaults, unknown][]) {
      if (value === null || value === undefined) delete this.faults[key];
      else (this.faults as Record<string, unknown>)[key] = structuredClone(value);
    }
  }

  clear(): void {
    this.faults = {};
  }

  current(): SimFaults {
    return structuredClone(this.faults);
  }

  get latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  /** Whether the fault fires on this chance; a spent count switches it off. */
  fire<K extends FaultName>(name: K): NonNullable<SimFaults[K]> | undefined {
    const fault = this.faults[name];
    if (!fault) return undefined;

    if (fault.count !== undefined && fault.count <= 0) {
      delete this.faults[name];
      return undefined;
    }
    if (fault.rate !== undefined && this.random() >= fault.rate) return undefined;

    const fired = structuredClone(fault) as NonNullable<SimFaults[K]>;
    if (fault.count !== undefined) {
      fault.count -= 1;
      if (fault.count <= 0) delete this.faults[name];
    }
    return fired;
  }
}

/** Checks a fault change from JSON; returns a reason when it is not one. */
export function faultChangeProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'expected a JSON object of faults';
  }
  for (const [key, value] of Object.entries(body)) {
    if (key === 'latencyMs') {
      if (value !== null && (typeof value !== 'number' || value < 0)) {
        return 'latencyMs must be a non-negative number or null';
      }
      continue;
    }
    if (!FAULT_NAMES.includes(key as FaultName)) {
      return `unknown fault '${key}' (known: ${[...FAULT_NAMES, 'latencyMs'].join(', ')})`;
    }
    if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      return `fault '${key}' must be an object or null`;
    }
  }
  return undefined;
}
