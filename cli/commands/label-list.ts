import type { Command } from 'commander';

import type { PoolConfig } from '../../lib/config/index.ts';
import type { Database } from '../../lib/db/connect.ts';
import type { NodeState } from '../../lib/node/states.ts';
import type { GlobalOptions } from '../config-file.ts';
import { renderTable } from '../format/table.ts';
import { withPoolSession } from '../pool-session.ts';

const HEADERS = [
  'Label',
  'Image',
  'Min Ready',
  'Providers',
  'Ready',
  'Building',
  'In Use',
] as const;

/** Which node states each count column adds up. */
const COLUMNS = {
  ready: ['ready'],
  building: ['requested', 'building', 'booted'],
  inUse: ['in-use', 'used'],
} as const satisfies Record<string, readonly NodeState[]>;

export interface LabelRow {
  label: string;
  image: string;
  minReady: number;
  providers: string[];
  ready: number;
  building: number;
  inUse: number;
}

/** `label-list`: the configured labels and how many of their nodes are in each phase. */
export function registerLabelListCommand(program: Command) {
  program
    .command('label-list')
    .description('list the labels, their min-ready and the nodes they have')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      const rows = await withPoolSession(program.opts<GlobalOptions>(), (session) =>
        labelRows(session.config, session.db),
      );
      process.stdout.write(`${formatLabels(rows, options.json === true)}\n`);
    });
}

export async function labelRows(config: PoolConfig, db: Database): Promise<LabelRow[]> {
  const counts = (await db('nodes')
    .select('label', 'state')
    .count({ count: '*' })
    .groupBy('label', 'state')) as { label: string; state: string; count: number | string }[];

  const countOf = (label: string, states: readonly string[]) =>
    counts
      .filter((row) => row.label === label && states.includes(row.state))
      .reduce((sum, row) => sum + Number(row.count), 0);

  return config.labels.map((label) => ({
    label: label.name,
    image: label.image,
    minReady: label.minReady,
    providers: label.providers,
    ready: countOf(label.name, COLUMNS.ready),
    building: countOf(label.name, COLUMNS.building),
    inUse: countOf(label.name, COLUMNS.inUse),
  }));
}

export function formatLabels(rows: readonly LabelRow[], json: boolean): string {
  if (json) return JSON.stringify(rows, null, 2);
  return renderTable(
    HEADERS,
    rows.map((row) => [
      row.label,
      row.image,
      String(row.minReady),
      row.providers.join(', '),
      String(row.ready),
      String(row.building),
      String(row.inUse),
    ]),
  );
}
