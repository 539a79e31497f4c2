/**
 * Jenkins Job Builder definitions: which Jenkins node label expression (`node:`) each job or
 * job template asks for. A template name such as `tox-{toxenv}-jessie` matches concrete job
 * names; when several match, the one with the most literal text is the most specific.
 */
import { parse } from 'yaml';

export interface JobNode {
  /** The JJB name, possibly with `{placeholders}`. */
  name: string;
  /** The label expression, e.g. `contintLabsSlave && UbuntuTrusty`. */
  node: string;
  /** The label atoms of the expression, as the Gearman plugin splits it. */
  atoms: string[];
  matches(job: string): boolean;
  specificity: number;
}

export function parseJjbNodes(text: string): JobNode[] {
  const nodes: JobNode[] = [];
  const documents = parse(text) as unknown;
  if (!Array.isArray(documents)) return nodes;

  for (const document of documents) {
    if (!document || typeof document !== 'object') continue;
    const definition = (document as Record<string, unknown>)['job-template'] ??
      (document as Record<string, unknown>).job;
    if (!definition || typeof definition !== 'object') continue;

    const { name, node } = definition as Record<string, unknown>;
    // A node given by a placeholder is chosen per project in files we do not have.
    if (typeof name !== 'string' || typeof node !== 'string' || node.includes('{')) continue;
    nodes.push(jobNode(name, node));
  }
  return nodes;
}

/** The most specific definition matching a concrete job name, if any. */
export function findJobNode(nodes: readonly JobNode[], job: string): JobNode | undefined {
  let best: JobNode | undefined;
  for (const candidate of nodes) {
    if (!candidate.matches(job)) continue;
    if (!best || candidate.specificity > best.specificity) best = candidate;
  }
  return best;
}

/** Splits a label expression into atoms: `a && (b || !c)` -> [a, b, c]. */
export function labelAtoms(expression: string): string[] {
  return expression
    .split(/&&|\|\||[()!]/)
    .map((atom) => atom.trim())
    .filter((atom) => atom !== '');
}

function jobNode(name: string, node: string): JobNode {
  const literal = name.replace(/\{\w+\}/g, '');
  const source = name
    .split(/(\{\w+\})/)
    .map((part) => (/^\{\w+\}$/.test(part) ? '(.+)' : escapeRegExp(part)))
    .join('');
  const pattern = new RegExp(`^${source}$`);

  return {
    name,
    node,
    atoms: labelAtoms(node),
    matches: (job) => pattern.test(job),
    specificity: literal.length,
  };
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
