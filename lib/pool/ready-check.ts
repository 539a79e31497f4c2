import { ErrorCode, isWhiskpoolError } from '../errors.ts';
import { readyScriptCommand } from '../image/scripts.ts';
import type { Node } from '../node/node.ts';
import { requireNode, transitionNode } from '../node/repository.ts';
import { done, type PoolContext, type StepOutcome } from './context.ts';
import { failLaunch } from './fail.ts';
import { followUp } from './follow-ups.ts';
import { waitOn } from './wait.ts';
import { LaunchResult } from './stats.ts';
import { shareNodeSetInfo } from './node-set-files.ts';
import { awaitSubnodes, prepareSubnodes } from './subnodes.ts';
import { imageFor, labelOf, providerOf } from './topology.ts';

/** How often a booting server is looked at again. Nodepool polled every 2 s. */
const BOOT_POLL_MS = 250;
/** How soon an SSH login that failed is tried again while within boot-timeout. */
const SSH_RETRY_MS = 1000;

/**
 * Waits for a node's server to become ACTIVE (building -> booted), then logs in and runs the
 * label's ready script. Never waits itself: while the server boots it asks to be run again.
 */
export async function readyCheckNode(ctx: PoolContext, nodeId: number): Promise<StepOutcome> {
  let node = await requireNode(ctx.db, nodeId);

  // Subnode servers boot beside their primary's; it then waits for them before its login.
  if (node.state === 'building' || node.state === 'booted') {
    const failed = await prepareSubnodes(ctx, node);
    if (failed) return failed;
  }
  if (node.state === 'building') {
    const outcome = await watchBoot(ctx, node);
    if (outcome.node === null) return outcome.step;
    node = outcome.node;
  }
  if (node.state !== 'booted') {
    return done({ node: node.id, outcome: 'skipped', state: node.state });
  }

  const waiting = await awaitSubnodes(ctx, node);
  if (waiting) return waiting;
  return checkLogin(ctx, node);
}

type BootWatch = { node: Node; step?: undefined } | { node: null; step: StepOutcome };

async function watchBoot(ctx: PoolContext, node: Node): Promise<BootWatch> {
  const provider = providerOf(ctx.config, node.provider);
  if (!node.externalId) {
    return { node: null, step: done({ node: node.id, outcome: 'no-server-yet' }) };
  }

  const server = await ctx.cloud(node.provider).getServer(node.externalId);
  if (!server) {
    const reason = `server ${node.externalId} vanished`;
    return { node: null, step: await failLaunch(ctx, node, LaunchResult.Status, reason) };
  }
  if (server.status === 'ERROR') {
    const fault = server.fault ? `: ${server.fault.message}` : '';
    const reason = `server went to ERROR${fault}`;
    return { node: null, step: await failLaunch(ctx, node, LaunchResult.Status, reason) };
  }
  if (server.status !== 'ACTIVE') {
    const waited = ctx.now() - node.stateTime;
    if (waited > provider.launchTimeout * 1000) {
      const timeout = provider.launchTimeout;
      const reason = `server still ${server.status} after launch-timeout ${timeout} s`;
      return { node: null, step: await failLaunch(ctx, node, LaunchResult.Status, reason) };
    }
    return { node: null, step: await waitOn(ctx, node.id, BOOT_POLL_MS, { outcome: 'booting' }) };
  }

  const ip = provider.ipv6Preferred ? (server.ipv6 ?? server.ipv4) : (server.ipv4 ?? server.ipv6);
  const booted = await transitionNode(ctx.db, node, 'booted', {
    reason: 'server active',
    changes: { ip: ip ?? null, sshPort: server.sshPort },
    now: ctx.now(),
  });
  if (!booted) return { node: null, step: done({ node: node.id, outcome: 'raced' }) };
  return { node: booted };
}

async function checkLogin(ctx: PoolContext, node: Node): Promise<StepOutcome> {
  const provider = providerOf(ctx.config, node.provider);
  const label = labelOf(ctx.config, node.label);
  const image = imageFor(ctx.config, node.label, node.provider);

  // Clouds whose servers have no reachable address (Nova's fake driver) can only be trusted
  // to have booted; the operator says so with host-key-checking: false.
  if (!provider.hostKeyChecking) {
    return done({ node: node.id, outcome: 'active' }, [followUp.register(node.id)]);
  }
  if (!node.ip) {
    return failLaunch(ctx, node, LaunchResult.Network, 'server is ACTIVE but has no address');
  }

  const commands = ['echo access okay'];
  if (label.readyScript) {
    commands.push(readyScriptCommand(label.readyScript, node.hostname));
  }

  try {
    if (label.subnodes > 0) await shareNodeSetInfo(ctx, node);
    const results = await ctx.ssh(
      {
        host: node.ip,
        port: node.sshPort ?? 22,
        username: image.username,
        privateKey: await ctx.readPrivateKey(image.privateKey),
      },
      commands,
    );
    const login = results[0];
    if (!login || login.exitCode !== 0 || !login.stdout.includes('access okay')) {
      return failLaunch(ctx, node, LaunchResult.Auth, 'login check did not answer "access okay"');
    }
    const script = results[1];
    if (script && script.exitCode !== 0) {
      const reason = `ready script ${label.readyScript} exited ${script.exitCode}`;
      return failLaunch(ctx, node, LaunchResult.Unknown, reason);
    }
  } catch (error) {
    if (isWhiskpoolError(error, ErrorCode.LaunchFailed)) {
      return failLaunch(ctx, node, LaunchResult.Unknown, error.message);
    }
    if (!isWhiskpoolError(error, ErrorCode.ReadyCheckFailed)) throw error;
    if (ctx.now() - node.stateTime > provider.bootTimeout * 1000) {
      const reason = `no login within boot-timeout ${provider.bootTimeout} s`;
      return failLaunch(ctx, node, LaunchResult.Auth, reason);
    }
    return waitOn(ctx, node.id, SSH_RETRY_MS, { outcome: 'login-pending' });
  }

  return done({ node: node.id, outcome: 'reachable' }, [followUp.register(node.id)]);
}
