import { ErrorCode, WhiskpoolError } from '../errors.ts';

/** Where a build is in its life, one value per ZMQ topic. */
export type BuildPhase = 'started' | 'completed' | 'finalized';

/** One message of the Jenkins ZMQ event publisher, checked and typed. */
export interface BuildEvent {
  phase: BuildPhase;
  /** The Jenkins job's name. */
  job: string;
  number: number;
  /** The Jenkins computer whose executor ran the build; empty for the master. */
  nodeName: string;
  /** The build ran on the master, which is never a pool machine. */
  onMaster: boolean;
  /** Jenkins' result (SUCCESS, FAILURE, ABORTED, ...); absent while the build runs. */
  status?: string;
  /** The build's URL relative to the Jenkins root, e.g. `job/gate-foo/42/`. */
  url?: string;
  /** The build's absolute URL; absent when Jenkins has no root URL configured. */
  fullUrl?: string;
  /** The build's parameters (ZUUL_*, OFFLINE_NODE_WHEN_COMPLETE, ...); empty when it has none. */
  parameters: Record<string, string>;
  /** The Jenkins master's host name. */
  hostName?: string;
}

/** The plugin's topics and the `build.phase` each carries. */
const TOPICS = {
  onStarted: { phase: 'started', wire: 'STARTED' },
  onCompleted: { phase: 'completed', wire: 'COMPLETED' },
  onFinalized: { phase: 'finalized', wire: 'FINISHED' },
} as const satisfies Record<string, { phase: BuildPhase; wire: string }>;

type Topic = keyof typeof TOPICS;

/** Far above any real event; a bigger frame is garbage or an attack, and is not parsed. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * Parses one ZMQ frame, `<topic> <json>`, as the Jenkins ZMQ event publisher sends it.
 * Throws `WP_EVENT_INVALID` naming what is wrong; never returns a half-checked event.
 */
export function parseBuildEvent(frame: Buffer | string): BuildEvent {
  const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
  if (size > MAX_FRAME_BYTES) {
    throw invalid(`frame of ${size} bytes is larger than the ${MAX_FRAME_BYTES} bytes allowed`);
  }

  const text = typeof frame === 'string' ? frame : frame.toString('utf8');
  const split = /^\s*(\S+)\s+([\s\S]*)$/.exec(text);
  if (!split) throw invalid('frame has no topic followed by a space and JSON');
  const [, topicWord = '', json = ''] = split;

  if (!isTopic(topicWord)) {
    const known = Object.keys(TOPICS).join(', ');
    throw invalid(`unknown topic '${clip(topicWord)}' (expected one of ${known})`);
  }
  const topic = TOPICS[topicWord];

  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(`${topicWord}: JSON does not parse, truncated or malformed (${reason})`);
  }
  if (!isObject(document)) throw invalid(`${topicWord}: JSON is ${kind(document)}, not an object`);

  const job = document.name;
  if (typeof job !== 'string' || job.length === 0) {
    throw invalid(`${topicWord}: 'name' (the job) is missing or not a non-empty string`);
  }

  const build = document.build;
  if (!isObject(build)) throw invalid(`${topicWord} for job '${clip(job)}': 'build' is missing`);
  const where = `${topicWord} for job '${clip(job)}'`;

  const number = build.number;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) {
    throw invalid(`${where}: build.number is ${describe(number)}, not a positive whole number`);
  }

  const nodeName = build.node_name;
  if (typeof nodeName !== 'string') {
    throw invalid(`${where} #${number}: build.node_name is ${describe(nodeName)}, not a string`);
  }

  if (build.phase !== topic.wire) {
    throw invalid(
      `${where} #${number}: build.phase is ${describe(build.phase)}, but ${topicWord} ` +
        `carries '${topic.wire}'`,
    );
  }

  const event: BuildEvent = {
    phase: topic.phase,
    job,
    number,
    nodeName,
    onMaster: nodeName === '',
    parameters: parameters(build.parameters, `${where} #${number}`),
  };

  const status = optionalString(build, 'status', `${where} #${number}`);
  const url = optionalString(build, 'url', `${where} #${number}`);
  const fullUrl = optionalString(build, 'full_url', `${where} #${number}`);
  const hostName = optionalString(build, 'host_name', `${where} #${number}`);
  if (status !== undefined) event.status = status;
  if (url !== undefined) event.url = url;
  if (fullUrl !== undefined) event.fullUrl = fullUrl;
  if (hostName !== undefined) event.hostName = hostName;

  return event;
}

/**
 * Whether the build asked the Gearman plugin to take its node offline when it ends, which is
 * what makes a node single-use. The plugin accepts exactly these spellings.
 */
export function offlineWhenComplete(parameters: Record<string, string>): boolean {
  const value = parameters.OFFLINE_NODE_WHEN_COMPLETE;
  return value === '1' || value === 'true' || value === 'True' || value === 'TRUE';
}

function parameters(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    throw invalid(`${where}: build.parameters is ${kind(value)}, not an object`);
  }

  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') {
      throw invalid(`${where}: build.parameters.${clip(key)} is ${kind(entry)}, not a string`);
    }
    result[key] = entry;
  }
  return result;
}

function optionalString(
  build: Record<string, unknown>,
  field: string,
  where: string,
): string | undefined {
  const value = build[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${where}: build.${field} is ${kind(value)}`);
  return value;
}

function isTopic(word: string): word is Topic {
  return Object.hasOwn(TOPICS, word);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `'${clip(value)}'`;
  return kind(value);
}

/** Keeps untrusted text in messages short. */
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

function invalid(message: string): WhiskpoolError {
  return new WhiskpoolError(ErrorCode.EventInvalid, `ZMQ build event: ${message}`);
}
