import type { ImageConfig } from '../config/index.ts';
import { ErrorCode, WhiskpoolError } from '../errors.ts';
import { done, later, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { failRefresh } from './fail.ts';
import { imageFollowUp } from './follow-ups.ts';
import { RefreshStep, type SnapshotImage } from './image.ts';
import { providerImage } from './in-use.ts';
import { advanceStep } from './repository.ts';
import { nodepoolVariables, readScripts, SCRIPTS_DIR, shellQuote } from './scripts.ts';
import { FALLBACK_USERS, loginAsAnyOf, type TemplateSession } from './template-host.ts';
import { CONNECT_TIMEOUT_MS, POLL_MS, SETUP_TIMEOUT_MS } from './timeouts.ts';

/** One SSH connection attempt, handshake and authentication included. */
const LOGIN_TIMEOUT_MS = 10_000;
/** The small commands around the setup script. */
const COMMAND_TIMEOUT_MS = 60_000;

/**
 * Prepares the template server as Nodepool did: logs in (the image's user, then the usual
 * cloud image users), makes /etc/nodepool, copies every file of script-dir over SFTP into
 * /opt/nodepool-scripts, and runs the image's setup script with the NODEPOOL_* variables of
 * this process's environment and the server's name as its argument.
 *
 * FIXME: the setup script runs inside this one invocation, so it must finish within the
 * action's time limit; a script that runs for hours needs to be started detached and its exit
 * status polled by later invocations.
 */
export async function setupTemplate(
  ctx: PoolContext,
  image: SnapshotImage,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StepOutcome> {
  const { provider, image: config } = providerImage(ctx.config, image.provider, image.imageName);
  const serverId = image.serverExternalId ?? '';
  const server = await ctx.cloud(image.provider).getServer(serverId);
  if (!server) return failRefresh(ctx, image, `template server ${serverId} vanished`);

  const host = provider.ipv6Preferred ? (server.ipv6 ?? server.ipv4) : (server.ipv4 ?? server.ipv6);
  if (!host) return failRefresh(ctx, image, 'template server is ACTIVE but has no address');

  let privateKey: Buffer;
  try {
    privateKey = await ctx.readPrivateKey(config.privateKey);
  } catch (error) {
    const reason = `private-key ${config.privateKey} cannot be read: ${(error as Error).message}`;
    return failRefresh(ctx, image, reason);
  }

  const usernames = [...new Set([config.username, ...FALLBACK_USERS])];
  const login = await loginAsAnyOf(
    { host, port: server.sshPort, usernames, privateKey, timeoutMs: LOGIN_TIMEOUT_MS },
    ctx.log,
  );
  if ('refused' in login) {
    const waited = ctx.now() - (image.stepTime ?? image.stateTime);
    if (waited > CONNECT_TIMEOUT_MS) {
      const limit = CONNECT_TIMEOUT_MS / 1000;
      return failRefresh(ctx, image, `no login within ${limit} s: ${login.refused}`);
    }
    return later(POLL_MS, { image: image.id, outcome: 'login-pending', reason: login.refused });
  }

  const { session } = login;
  try {
    await prepare(ctx, session, image, config, env);
  } catch (error) {
    // Nodepool gave up on the image at any failure on the template; so does whiskpool.
    const reason = error instanceof Error ? error.message : String(error);
    return failRefresh(ctx, image, reason);
  } finally {
    session.close();
  }

  const moved = await advanceStep(ctx.db, image, RefreshStep.Snapshot, ctx.now());
  if (!moved) return done({ image: image.id, outcome: 'raced' });
  return done({ image: image.id, outcome: 'set-up', user: session.username }, [
    imageFollowUp.step(image.id, RefreshStep.Snapshot),
  ]);
}

async function prepare(
  ctx: PoolContext,
  session: TemplateSession,
  image: SnapshotImage,
  config: ImageConfig,
  env: NodeJS.ProcessEnv,
) {
  const run = async (what: string, command: string, timeoutMs = COMMAND_TIMEOUT_MS) => {
    const result = await session.run(command, timeoutMs);
    if (result.exitCode === 0) return;
    const said = result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300);
    throw new WhiskpoolError(
      ErrorCode.ImageRefreshFailed,
      `${what} exited ${result.exitCode} as ${session.username}${said ? `: ${said}` : ''}`,
    );
  };

  // World-writable: by the time a node writes its files there, it may have no sudo left.
  await run('making /etc/nodepool', 'sudo mkdir -p /etc/nodepool');
  await run('opening /etc/nodepool', 'sudo chmod 0777 /etc/nodepool');

  const scriptDir = ctx.config.scriptDir;
  if (scriptDir !== undefined) {
    const scripts = await (ctx.readScripts ?? readScripts)(scriptDir);
    await run('making the scripts directory', 'mkdir -p scripts');
    for (const script of scripts) {
      await session.upload(`scripts/${script.name}`, script.content, script.mode).catch(
        (error: unknown) => {
          throw new WhiskpoolError(
            ErrorCode.ImageRefreshFailed,
            `copying ${script.name} over SFTP failed: ${(error as Error).message}`,
          );
        },
      );
    }
    // A retried setup finds the scripts of its first try there; they are replaced whole.
    await run(
      `moving the scripts to ${SCRIPTS_DIR}`,
      `sudo rm -rf ${SCRIPTS_DIR} && sudo mv scripts ${SCRIPTS_DIR}`,
    );
    await run('opening the scripts', `sudo chmod -R a+rx ${SCRIPTS_DIR}`);
    ctx.log.info(
      { image: image.id, files: scripts.map((s) => s.name), user: session.username },
      'scripts copied to template server',
    );
  }

  if (config.setup !== undefined) {
    const name = image.hostname ?? '';
    const command = `cd ${SCRIPTS_DIR} && ${nodepoolVariables(env)}./${config.setup} ` +
      `${shellQuote(name)} && sync && sleep 5`;
    ctx.log.info({ image: image.id, script: config.setup }, 'running setup script');
    await run(`setup script ${config.setup}`, command, SETUP_TIMEOUT_MS);
  }
}
