import { destination as pinoDestination, pino, stdTimeFunctions, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Field names whose values are secrets wherever they appear in a log record. pino replaces
 * them before the record is written, so a careless `log.info({provider})` cannot leak.
 */
const SECRET_PATHS = [
  'password',
  'apikey',
  'apiKey',
  'api_key',
  'auth',
  'token',
  'secret',
  '*.password',
  '*.apikey',
  '*.apiKey',
  '*.api_key',
  '*.auth',
  '*.token',
  '*.secret',
  '*.*.password',
  '*.*.apikey',
  'headers["x-auth-token"]',
  'headers.authorization',
];

export interface LogOptions {
  /** Component name, e.g. `bridge.gearman` or `action.spawn`. */
  name: string;
  level?: string;
  /**
   * Actions must log synchronously: OpenWhisk cuts an activation's log at its end marker,
   * and lines still buffered by then are lost or given to the next activation.
   */
  sync?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LogOptions): Logger {
  const level = options.level ?? process.env.WHISKPOOL_LOG_LEVEL ?? 'info';
  const destination =
    options.destination ?? pinoDestination({ dest: 2, sync: options.sync ?? false });

  return pino(
    {
      name: options.name,
      level,
      redact: { paths: SECRET_PATHS, censor: '[secret]' },
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
    },
    destination,
  );
}
