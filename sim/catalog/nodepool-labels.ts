import { parse } from 'yaml';

/** The label names of a 2015 `nodepool.yaml` (ERB placeholders sit in quoted strings). */
export function parseNodepoolLabels(text: string): string[] {
  const config = parse(text) as { labels?: { name?: unknown }[] } | null;
  return (config?.labels ?? [])
    .map((label) => label.name)
    .filter((name): name is string => typeof name === 'string');
}
