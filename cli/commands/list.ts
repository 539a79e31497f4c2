import type { Command } from 'commander';

import { databaseUrlOf } from '../../lib/db/url.ts';
import { openDatabase } from '../../lib/db/connect.ts';
import { migrateLatest } from '../../lib/db/migrate.ts';
import type { Node } from '../../lib/node/node.ts';
import { listNodes } from '../../lib/node/repository.ts';
import { LIVE_STATES } from '../../lib/node/states.ts';
import { readConfig, type GlobalOptions } from '../config-file.ts';
import { formatAge, renderTable } from '../format/table.ts';

const HEADERS = [
  'ID',
  'Provider',
  'AZ',
  'Label',
  'Target',
  'Hostname',
  'NodeName',
  'Server ID',
  'IP',
  'State',
  'Age',
] as const;

export function registerListCommand(program: Command) {
  program
    .command('list')
    .description('list the nodes of the pool, as nodepool list')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      const { config } = await readConfig(program.opts<GlobalOptions>());
      const db = openDatabase({ url: databaseUrlOf(config.database) });
      try {
        await migrateLatest(db);
        const nodes = await listNodes(db, { states: LIVE_STATES });
        process.stdout.write(`${formatNodes(nodes, Date.now(), options.json === true)}\n`);
      } finally {
        await db.destroy();
      }
    });
}

export function formatNodes(nodes: readonly Node[], now: number, json: boolean): string {
  if (json) {
    const rows = nodes.map((node) => ({
      id: node.id,
      provider: node.provider,
      az: node.az,
      label: node.label,
      target: node.target,
      hostname: node.hostname,
      nodeName: node.nodeName,
      serverId: node.externalId,
      ip: node.ip,
      state: node.state,
      ageSeconds: Math.floor((now - node.stateTime) / 1000),
      // Not a column of 2015's table (Nodepool added it later); why a node is held.
      comment: node.comment,
    }));
    return JSON.stringify(rows, null, 2);
  }

  const rows = nodes.map((node) => [
    String(node.id),
    node.provider,
    node.az ?? '',
    node.label,
    node.target,
    node.hostname ?? '',
    node.nodeName ?? '',
    node.externalId ?? '',
    node.ip ?? '',
    node.state,
    formatAge(now - node.stateTime),
  ]);
  return renderTable(HEADERS, rows);
}
