import { ErrorCode, WhiskpoolError } from '../errors.ts';

export type KeyPath = readonly (string | number)[];

/**
 * An invalid configuration. `problems` has one line per problem, each naming the key path and
 * the reason, e.g. `providers[0].max-servers: must be a non-negative integer, got "abc"`.
 */
export class ConfigInvalidError extends WhiskpoolError {
  readonly problems: string[];
  readonly source: string;

  constructor(source: string, problems: string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((problem) => `  ${problem}`).join('\n');
    super(ErrorCode.ConfigInvalid, `configuration ${source} is invalid (${count}):\n${lines}`);
    this.name = 'ConfigInvalidError';
    this.problems = problems;
    this.source = source;
  }
}

/** Problems and warnings found while reading one configuration, in the order found. */
export class Findings {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];

  problem(path: KeyPath | string, reason: string): void {
    this.problems.push(`${typeof path === 'string' ? path : formatPath(path)}: ${reason}`);
  }

  warn(path: KeyPath | string, reason: string): void {
    this.warnings.push(`${typeof path === 'string' ? path : formatPath(path)}: ${reason}`);
  }

  throwIfAny(source: string): void {
    if (this.problems.length > 0) throw new ConfigInvalidError(source, this.problems);
  }
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `['providers', 0, 'max-servers']` becomes `providers[0].max-servers`. */
export function formatPath(path: KeyPath): string {
  if (path.length === 0) return '(top level)';

  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (!PLAIN_KEY.test(key)) text += `[${JSON.stringify(key)}]`;
    else text += text === '' ? key : `.${key}`;
  }
  return text;
}

/** Keys whose values must never be echoed back in a message. */
const SECRET_KEYS = new Set(['password', 'apikey', 'dburi', 'database', 'token', 'secret']);

export function isSecretPath(path: KeyPath): boolean {
  const last = path[path.length - 1];
  return typeof last === 'string' && SECRET_KEYS.has(last.toLowerCase());
}

/** How a bad value is shown after "got": quoted text, or only its kind for secrets. */
export function describeValue(value: unknown, path: KeyPath): string {
  const kind = kindOf(value);
  if (isSecretPath(path)) return `${kind} (value hidden)`;

  if (typeof value === 'string') {
    const shown = hideUrlPassword(value);
    const text = shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
    return JSON.stringify(text);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  return kind;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

/** `user:PASS@host` in a malformed URL is still a password, whatever key holds it. */
function hideUrlPassword(text: string): string {
  return text.replace(/((?:^|\/\/|\s)[^\s:@/]+):[^\s@/]+@/g, '$1:[secret]@');
}
