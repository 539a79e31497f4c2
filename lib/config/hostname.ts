import { ErrorCode, WhiskpoolError } from '../errors.ts';

/**
 * Host names come from Python `str.format` templates in nodepool.yaml, such as
 * `{label.name}-{provider.name}-{node_id}`. Only the plain `{field}` form is understood, plus
 * `{{` and `}}` for literal braces; nodepool's files never used conversions or format specs.
 *
 * - `node`: a target's `hostname`, the name of a node's server
 * - `subnode`: a target's `subnode-hostname`, the servers beside the primary of a multi-node set
 * - `image`: a provider's `template-hostname`, the server booted to make a snapshot image
 */
export type HostnameTemplateKind = 'node' | 'subnode' | 'image';

const NODE_FIELDS = [
  'label.name',
  'provider.name',
  'target.name',
  'image.name',
  'node_id',
  'timestamp',
] as const;

export const HOSTNAME_FIELDS: Record<HostnameTemplateKind, readonly string[]> = {
  node: NODE_FIELDS,
  subnode: [...NODE_FIELDS, 'subnode_id'],
  image: ['provider.name', 'image.name', 'timestamp'],
};

/** Fields a template must use so that two servers never get the same name. */
const REQUIRED_FIELDS: Record<HostnameTemplateKind, readonly string[]> = {
  node: ['node_id'],
  subnode: ['node_id', 'subnode_id'],
  image: [],
};

export interface HostnameValues {
  label?: { name: string };
  provider?: { name: string };
  target?: { name: string };
  image?: { name: string };
  nodeId?: number | string;
  subnodeId?: number | string;
  /** Unix seconds, rendered as an integer as nodepool did. */
  timestamp?: number;
}

type Segment = { literal: string } | { field: string };

/** Splits a template into literal text and fields; throws a plain Error with the reason. */
function parseTemplate(template: string): Segment[] {
  const segments: Segment[] = [];
  let literal = '';
  let index = 0;

  while (index < template.length) {
    const char = template[index];
    const next = template[index + 1];

    if (char === '{' && next === '{') {
      literal += '{';
      index += 2;
      continue;
    }
    if (char === '}' && next === '}') {
      literal += '}';
      index += 2;
      continue;
    }
    if (char === '}') throw new Error(`single "}" at position ${index}; write "}}" for a brace`);
    if (char !== '{') {
      literal += char;
      index += 1;
      continue;
    }

    const end = template.indexOf('}', index + 1);
    if (end === -1) throw new Error(`"{" at position ${index} is never closed`);
    const field = template.slice(index + 1, end);
    checkFieldSyntax(field);

    if (literal !== '') segments.push({ literal });
    literal = '';
    segments.push({ field });
    index = end + 1;
  }

  if (literal !== '') segments.push({ literal });
  return segments;
}

function checkFieldSyntax(field: string): void {
  if (field === '') throw new Error('positional field {} is not supported; name the field');
  if (field.includes('{')) throw new Error(`nested "{" in field {${field}`);
  if (/[!:]/.test(field)) {
    throw new Error(`field {${field}} has a conversion or format spec, which is not supported`);
  }
}

/** Why `template` cannot be used as a `kind` template, or undefined when it can. */
export function checkHostnameTemplate(
  template: string,
  kind: HostnameTemplateKind,
): string | undefined {
  let segments: Segment[];
  try {
    segments = parseTemplate(template);
  } catch (error) {
    return `${(error as Error).message} in ${JSON.stringify(template)}`;
  }

  const known = HOSTNAME_FIELDS[kind];
  const used = new Set<string>();
  for (const segment of segments) {
    if (!('field' in segment)) continue;
    if (!known.includes(segment.field)) {
      const list = known.map((name) => `{${name}}`).join(', ');
      return `unknown field {${segment.field}} in ${JSON.stringify(template)}; known: ${list}`;
    }
    used.add(segment.field);
  }

  const missing = REQUIRED_FIELDS[kind].filter((field) => !used.has(field));
  if (missing.length > 0) {
    const list = missing.map((name) => `{${name}}`).join(' and ');
    return `${JSON.stringify(template)} must contain ${list} so that names are unique`;
  }
  return undefined;
}

/** Renders a template; the caller must supply every field the template uses. */
export function renderHostname(template: string, values: HostnameValues): string {
  let segments: Segment[];
  try {
    segments = parseTemplate(template);
  } catch (error) {
    const reason = (error as Error).message;
    throw new WhiskpoolError(ErrorCode.ConfigInvalid, `hostname template: ${reason}`);
  }

  const parts = segments.map((segment) =>
    'literal' in segment ? segment.literal : fieldValue(segment.field, values, template),
  );
  return parts.join('');
}

function fieldValue(field: string, values: HostnameValues, template: string): string {
  const value = lookup(field, values);
  if (value === undefined) {
    throw new WhiskpoolError(
      ErrorCode.ConfigInvalid,
      `hostname template ${JSON.stringify(template)} uses {${field}}, which was not given`,
    );
  }
  return value;
}

function lookup(field: string, values: HostnameValues): string | undefined {
  switch (field) {
    case 'label.name':
      return values.label?.name;
    case 'provider.name':
      return values.provider?.name;
    case 'target.name':
      return values.target?.name;
    case 'image.name':
      return values.image?.name;
    case 'node_id':
      return values.nodeId === undefined ? undefined : String(values.nodeId);
    case 'subnode_id':
      return values.subnodeId === undefined ? undefined : String(values.subnodeId);
    case 'timestamp':
      return values.timestamp === undefined ? undefined : String(Math.trunc(values.timestamp));
    default:
      return undefined;
  }
}

/**
 * The name of the Jenkins agent for a host: nodepool registered `node-1.example.org` as
 * `node-1`, and the ZMQ events name the agent, so both sides must cut it the same way.
 */
export function jenkinsNodeName(hostname: string): string {
  const dot = hostname.indexOf('.');
  return dot === -1 ? hostname : hostname.slice(0, dot);
}
