/**
 * Refuses planner input that would make the arithmetic lie (negative slots, fractional
 * nodes, a label served by a provider nobody configured) before anything is computed.
 */
import { ErrorCode, WhiskpoolError } from '../errors.ts';
import { parseAllocationHistory } from './history.ts';
import type { PlanInput, PoolNodeState } from './types.ts';

const STATES: ReadonlySet<string> = new Set<PoolNodeState>([
  'requested',
  'building',
  'booted',
  'ready',
  'in-use',
  'used',
  'deleting',
  'failed',
  'hold',
  'deleted',
]);

const NON_NEGATIVE = 'a non-negative integer';

export function checkPlanInput(input: PlanInput): void {
  checkConfig(input);

  const demand = input.demand instanceof Map ? [...input.demand] : Object.entries(input.demand);
  for (const [label, count] of demand) {
    if (!isCount(count)) throw usage(`demand for label '${label}'`, count);
  }

  for (const group of input.nodes) {
    const where = `nodes of label '${group.label}' on '${group.provider}' / '${group.target}'`;
    if (!STATES.has(group.state)) {
      throw new WhiskpoolError(
        ErrorCode.UsageInvalid,
        `allocation input: ${where}: unknown state '${String(group.state)}'`,
      );
    }
    if (!isCount(group.count)) throw usage(`${where}: count`, group.count);
    if (group.subnodes !== undefined && !isCount(group.subnodes)) {
      throw usage(`${where}: subnodes`, group.subnodes);
    }
  }

  parseAllocationHistory(input.history);
}

function checkConfig(input: PlanInput): void {
  unique('label', input.labels.map((l) => l.name));
  unique('provider', input.providers.map((p) => p.name));
  unique('target', input.targets.map((t) => t.name));

  for (const provider of input.providers) {
    if (!isCount(provider.maxServers)) {
      throw config(`provider '${provider.name}': max-servers`, NON_NEGATIVE, provider.maxServers);
    }
  }

  const providers = new Set(input.providers.map((p) => p.name));
  for (const label of input.labels) {
    if (!Number.isInteger(label.minReady) || label.minReady < -1) {
      throw config(`label '${label.name}': min-ready`, 'an integer of -1 or more', label.minReady);
    }
    if (!isCount(label.subnodes)) {
      throw config(`label '${label.name}': subnodes`, NON_NEGATIVE, label.subnodes);
    }

    for (const provider of label.providers) {
      if (!providers.has(provider)) {
        throw new WhiskpoolError(
          ErrorCode.ConfigInvalid,
          `label '${label.name}': provider '${provider}' is not a configured provider`,
        );
      }
    }
  }
}

function unique(kind: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new WhiskpoolError(ErrorCode.ConfigInvalid, `${kind} '${name}' is defined twice`);
    }
    seen.add(name);
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function config(what: string, rule: string, got: unknown): WhiskpoolError {
  return new WhiskpoolError(ErrorCode.ConfigInvalid, `${what} must be ${rule}, got ${String(got)}`);
}

function usage(what: string, got: unknown): WhiskpoolError {
  return new WhiskpoolError(
    ErrorCode.UsageInvalid,
    `allocation input: ${what} must be ${NON_NEGATIVE}, got ${String(got)}`,
  );
}
