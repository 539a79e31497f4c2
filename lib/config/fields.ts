import { z } from 'zod';

import { checkCronSpec } from './cron.ts';
import { parseDatabaseUrl, redactDatabaseUrl } from './database.ts';
import { checkHostnameTemplate, type HostnameTemplateKind } from './hostname.ts';
import { describeValue, type KeyPath } from './problems.ts';
import type { DatabaseConfig } from './types.ts';

/**
 * Field schemas with the messages operators read: each says what the value must be and what
 * it was, e.g. `must be a positive integer, got "abc"`, and never echoes a secret.
 */

type Test<T> = (value: unknown) => value is T;

function field<T>(expected: string, test: Test<T>) {
  return z.any().transform((value, ctx): T => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is required' });
      return z.NEVER;
    }
    if (!test(value)) {
      const got = describeValue(value, ctx.path);
      ctx.addIssue({ code: 'custom', message: `must be ${expected}, got ${got}` });
      return z.NEVER;
    }
    return value;
  });
}

/** An absent key and an empty one (`key:` with no value) both mean "not set". */
export function optional<T extends z.ZodTypeAny>(schema: T) {
  return z.preprocess((value) => value ?? undefined, schema.optional());
}

export function withDefault<T extends z.ZodTypeAny>(schema: T, fallback: z.input<T>) {
  return z.preprocess((value) => value ?? undefined, schema.default(fallback));
}

export const text = field(
  'a non-empty string',
  (v): v is string => typeof v === 'string' && v !== '',
);

const INTEGER_WORDS: Record<number, string> = {
  1: 'a positive integer',
  0: 'a non-negative integer',
};

/** Past 2^53 a number no longer holds an exact integer: 1e30 servers is garbage, not a limit. */
export function integer(min: number) {
  const words = INTEGER_WORDS[min] ?? `an integer >= ${min}`;
  return field(words, (v): v is number => Number.isSafeInteger(v) && (v as number) >= min);
}

/**
 * The longest wait a Node timer can hold, in seconds; a longer one fires at once (or throws,
 * for AbortSignal.timeout), so a larger rate or api-timeout would mean the opposite of itself.
 */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

function seconds<T extends z.ZodTypeAny>(schema: T) {
  return schema.superRefine((value: number, ctx) => {
    if (value > MAX_TIMER_SECONDS) {
      const message = `must be at most ${MAX_TIMER_SECONDS}, got ${value}`;
      ctx.addIssue({ code: 'custom', message });
    }
  });
}

export function number(min: number) {
  const words = min === 0 ? 'a non-negative number' : `a number >= ${min}`;
  return seconds(
    field(words, (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min),
  );
}

export const positiveNumber = seconds(
  field(
    'a positive number',
    (v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0,
  ),
);

// PyYAML, which read these files for nodepool, took yes/no/on/off as booleans; YAML 1.2 reads
// them as strings. Accepting them keeps such files meaning what they meant.
const YAML11_BOOLEANS: Record<string, boolean> = {
  yes: true,
  on: true,
  no: false,
  off: false,
};

export const boolean = field('true or false', (v): v is boolean | string => {
  return typeof v === 'boolean' || (typeof v === 'string' && v.toLowerCase() in YAML11_BOOLEANS);
}).transform((v) => (typeof v === 'boolean' ? v : YAML11_BOOLEANS[v.toLowerCase()] === true));

/** Unquoted `release: 21` is a number in YAML, but DIB_RELEASE is an environment string. */
export const scalarText = field(
  'a string or number',
  (v): v is string | number | boolean =>
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v)),
).transform((v) => String(v));

export function oneOf<const T extends readonly string[]>(values: T) {
  const words = `one of ${values.join(', ')}`;
  return field(words, (v): v is T[number] => typeof v === 'string' && values.includes(v));
}

export const port = field(
  'a port number (1-65535)',
  (v): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535,
);

function validUrl(text: string, protocols: readonly string[]): URL | undefined {
  try {
    const url = new URL(text);
    return protocols.includes(url.protocol) && url.hostname !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

export function url(protocols: readonly string[], example: string) {
  const words = `a URL like ${example}`;
  return field(
    words,
    (v): v is string => typeof v === 'string' && validUrl(v, protocols) !== undefined,
  );
}

export const httpUrl = url(['http:', 'https:'], 'https://host/path');

/** Nodepool took the address as given and handed it to zmq, so only `tcp://HOST:PORT` works. */
export const zmqAddress = field('a ZMQ address like tcp://HOST:PORT', (v): v is string => {
  if (typeof v !== 'string') return false;
  const parsed = validUrl(v, ['tcp:']);
  return parsed !== undefined && parsed.port !== '';
});

export function isHttpUrl(text: string): boolean {
  return validUrl(text, ['http:', 'https:']) !== undefined;
}

export const cronSpec = text.transform((spec, ctx) => {
  const checked = checkCronSpec(spec);
  if (checked.pattern === undefined) {
    ctx.addIssue({ code: 'custom', message: checked.error ?? 'is not a valid cron spec' });
    return z.NEVER;
  }
  return { pattern: checked.pattern, warning: checked.warning };
});

export function hostnameTemplate(kind: HostnameTemplateKind) {
  return text.superRefine((template, ctx) => {
    const reason = checkHostnameTemplate(template, kind);
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
  });
}

export const databaseUrl = text.transform((value, ctx): DatabaseConfig => {
  try {
    return parseDatabaseUrl(value, 'nodepool.yaml');
  } catch (error) {
    const reason = (error as Error).message;
    const shown = JSON.stringify(redactDatabaseUrl(value));
    ctx.addIssue({ code: 'custom', message: `${reason}, got ${shown}` });
    return z.NEVER;
  }
});

const POOL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * A file of script-dir run by its name on the machines, as `./NAME`: only characters a shell
 * takes as they are. Nodepool put the name into the command line unquoted too.
 */
export const scriptName = field(
  'a file name of script-dir: letters, digits, ".", "_", "-" or "+", not starting with "-"',
  (v): v is string => typeof v === 'string' && /^[\w.+][\w.+-]*$/.test(v),
);

export const poolId = field(
  'letters, digits, ".", "_" or "-" (at most 63, starting with a letter or digit)',
  (v): v is string => typeof v === 'string' && POOL_ID.test(v),
);

const TYPE_WORDS: Record<string, string> = { object: 'a mapping', array: 'a list' };

/** Messages for zod's own checks (mappings and lists), in the same words as the fields above. */
export const errorMap: z.ZodErrorMap = (issue, ctx) => {
  if (issue.code !== 'invalid_type') return { message: ctx.defaultError };
  if (issue.received === 'undefined') return { message: 'is required' };

  const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
  return { message: `must be ${expected}, got ${describeValue(ctx.data, issue.path as KeyPath)}` };
};
