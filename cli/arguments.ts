import { InvalidArgumentError } from 'commander';

/** A node id as the commands take it; anything else is a usage error. */
export function nodeIdArgument(value: string): number {
  const id = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidArgumentError(`a node id is a positive integer, got "${value}"`);
  }
  return id;
}

/** Reason texts end up in a database column and in log lines: one line, not empty. */
export function reasonArgument(value: string): string {
  const reason = value.trim();
  if (reason === '' || /[\r\n]/.test(reason)) {
    throw new InvalidArgumentError('a reason is one line of text');
  }
  return reason;
}
