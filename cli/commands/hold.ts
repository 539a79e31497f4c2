import type { Command } from 'commander';

import type { Node } from '../../lib/node/node.ts';
import { holdNode } from '../../lib/pool/hold.ts';
import { nodeIdArgument, reasonArgument } from '../arguments.ts';
import type { GlobalOptions } from '../config-file.ts';
import { formatAge, renderTable } from '../format/table.ts';
import { withPoolSession, type PoolSession } from '../pool-session.ts';

/** `list`'s columns, and the comment that says why the node is held. */
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
  'Comment',
] as const;

/** `hold ID [--reason TEXT]`: keep a node until it is deleted by hand. Prints its row. */
export function registerHoldCommand(program: Command) {
  program
    .command('hold')
    .description('keep a ready, in-use or used node until it is deleted by hand')
    .argument('<id>', 'the node id, as `list` shows it', nodeIdArgument)
    .option('--reason <text>', "why it is held; kept in the node's comment", reasonArgument)
    .option('--json', 'print JSON instead of a table')
    .action(async (id: number, options: HoldOptions) => {
      const output = await withPoolSession(program.opts<GlobalOptions>(), (session) =>
        runHold(session, id, options),
      );
      process.stdout.write(`${output}\n`);
    });
}

export interface HoldOptions {
  reason?: string;
  json?: boolean;
}

export async function runHold(session: PoolSession, id: number, options: HoldOptions) {
  const node = await holdNode(session.context, id, options.reason);
  return formatHeldNode(node, session.context.now(), options.json === true);
}

export function formatHeldNode(node: Node, now: number, json: boolean): string {
  const ageSeconds = Math.floor((now - node.stateTime) / 1000);
  if (json) {
    const row = {
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
      ageSeconds,
      comment: node.comment,
    };
    return JSON.stringify([row], null, 2);
  }

  const cells = [
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
    node.comment ?? '',
  ];
  return renderTable(HEADERS, [cells]);
}
