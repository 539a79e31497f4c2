import { setTimeout as sleep } from 'node:timers/promises';

import type { Command } from 'commander';

import { ErrorCode, WhiskpoolError } from '../../lib/errors.ts';
import { requireNode } from '../../lib/node/repository.ts';
import { deleteNode } from '../../lib/pool/delete.ts';
import { followUp } from '../../lib/pool/follow-ups.ts';
import { HOLD_RELEASES } from '../../lib/pool/hold.ts';
import { nodeIdArgument } from '../arguments.ts';
import type { GlobalOptions } from '../config-file.ts';
import { withPoolSession, type PoolSession } from '../pool-session.ts';

const RACED_RETRY_MS = 50;

/**
 * `delete ID [--now]`. Without --now the pool is asked to delete the node, as any other
 * deletion is asked for, and the command returns at once; with --now the command runs the
 * delete step itself until the cloud confirms the server gone, as Nodepool's did. Either
 * way a held node is released: an operator's delete is the one that may.
 */
export function registerDeleteCommand(program: Command) {
  program
    .command('delete')
    .description('delete a node (held nodes included)')
    .argument('<id>', 'the node id, as `list` shows it', nodeIdArgument)
    .option('--now', 'delete it from here and wait until its server is gone')
    .action(async (id: number, options: { now?: boolean }) => {
      const output = await withPoolSession(program.opts<GlobalOptions>(), (session) =>
        options.now ? runDeleteNow(session, id) : runDelete(session, id),
      );
      process.stdout.write(`${output}\n`);
    });
}

export async function runDelete(session: PoolSession, id: number): Promise<string> {
  const node = await requireLiveNode(session, id);
  await session.publish([followUp.delete(node.id, HOLD_RELEASES.Operator)]);
  return `node ${node.id} (${node.hostname ?? 'unnamed'}): deletion requested`;
}

export interface DeleteNowOptions {
  /** How long to wait for the server to go; default the configured deleting timeout. */
  timeoutMs?: number;
}

export async function runDeleteNow(
  session: PoolSession,
  id: number,
  options: DeleteNowOptions = {},
): Promise<string> {
  const { context: ctx } = session;
  const node = await requireLiveNode(session, id);
  const timeoutMs = options.timeoutMs ?? ctx.config.timeouts.deleting * 1000;
  // Real time, not the pool's clock: this is how long the operator is kept waiting.
  const deadline = Date.now() + timeoutMs;

  for (;;) {
    const outcome = await deleteNode(ctx, node.id, HOLD_RELEASES.Operator);
    // Lost to a step of the running pool that moved the node meanwhile: look again.
    const waitMs = outcome.summary.outcome === 'raced' ? RACED_RETRY_MS : outcome.retryAfterMs;
    if (waitMs === undefined) {
      await tellPool(session, outcome.events);
      return `node ${node.id} (${node.hostname ?? 'unnamed'}) deleted`;
    }
    if (Date.now() + waitMs > deadline) {
      throw new WhiskpoolError(
        ErrorCode.NodeStateConflict,
        `node ${node.id}: server ${node.externalId ?? ''} is still there after ` +
          `${Math.round(timeoutMs / 1000)} s; the pool's sweep will keep deleting it`,
      );
    }
    await sleep(waitMs);
  }
}

async function requireLiveNode(session: PoolSession, id: number) {
  const node = await requireNode(session.db, id);
  if (node.state === 'deleted') {
    throw new WhiskpoolError(ErrorCode.NodeNotFound, `node ${id} is already deleted`);
  }
  return node;
}

/**
 * The pool refills after a deletion when it hears of it; if it cannot be reached, its next
 * reconcile does the same a little later, so this is worth a warning, not a failure.
 */
async function tellPool(session: PoolSession, events: Parameters<PoolSession['publish']>[0]) {
  try {
    await session.publish(events);
  } catch (error) {
    session.log.warn({ err: (error as Error).message }, 'pool not told of the deletion');
  }
}
