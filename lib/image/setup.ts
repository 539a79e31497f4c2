import type { ImageConfig } from '../config/index.ts';
import { ErrorCode, isWhiskpoolError, WhiskpoolError } from '../errors.ts';
import { done, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { failRefresh } from './fail.ts';
import { imageFollowUp } from './follow-ups.ts';
import { RefreshStep, type SnapshotImage } from './image.ts';
import { providerImage } from './in-use.ts';
import { advanceStep } from './repository.ts';
import { readScripts, SCRIPTS_DIR } from './scripts.ts';
import {
  SETUP_CLEANUP_COMMAND,
  SETUP_JOB_THERE_COMMAND,
  startSetupCommand,
} from './setup-job.ts';
import { logInToTemplate } from './template-login.ts';
import type { TemplateSession } from './template-host.ts';
import { CONNECT_TIMEOUT_MS } from './timeouts.ts';

/** Each command of this step: the small ones, and copying a file. */
export const COMMAND_TIMEOUT_MS = 60_000;

/**
 * Prepares the template server as Nodepool did: logs in (the image's user, then the usual
 * cloud image users), makes /etc/nodepool, copies every file of script-dir over SFTP into
 * /opt/nodepool-scripts, and starts the image's setup script. The script runs detached from
 * this invocation, for as long as it needs: the next step looks at it until it ends.
 */
export async function setupTemplate(
  ctx: PoolContext,
  image: SnapshotImage,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StepOutcome> {
  const { image: config } = providerImage(ctx.config, image.provider, image.imageName);
  const login = await logInToTemplate(ctx, image, CONNECT_TIMEOUT_MS);
  if ('outcome' in login) return login.outcome;

  const { session } = login;
  try {
    if (config.setup !== undefined && (await setupStarted(session))) {
      // This step died after it started the script: the scripts it runs stay as they are.
      ctx.log.info({ image: image.id }, 'setup script already started');
    } else {
      await prepare(ctx, session, image, config);
      if (config.setup === undefined) {
        await runOrThrow(session, 'flushing the disks', SETUP_CLEANUP_COMMAND);
      } else {
        const command = startSetupCommand(config.setup, image.hostname ?? '', env);
        await runOrThrow(session, `starting setup script ${config.setup}`, command);
        ctx.log.info({ image: image.id, script: config.setup }, 'setup script started');
      }
    }
  } catch (error) {
    if (isWhiskpoolError(error) && error.retryable) throw error;
    // Nodepool gave up on the image at any failure on the template; so does whiskpool.
    const reason = error instanceof Error ? error.message : String(error);
    return failRefresh(ctx, image, reason);
  } finally {
    session.close();
  }

  const next = config.setup === undefined ? RefreshStep.Snapshot : RefreshStep.SetupWait;
  const moved = await advanceStep(ctx.db, image, next, ctx.now());
  if (!moved) return done({ image: image.id, outcome: 'raced' });
  const outcome = next === RefreshStep.Snapshot ? 'set-up' : 'setup-started';
  return done({ image: image.id, outcome, user: session.username }, [
    imageFollowUp.step(image.id, next),
  ]);
}

async function setupStarted(session: TemplateSession): Promise<boolean> {
  const there = await session.run(SETUP_JOB_THERE_COMMAND, COMMAND_TIMEOUT_MS);
  if (there.exitCode === 0 || there.exitCode === 1) return there.exitCode === 0;
  throw new WhiskpoolError(
    ErrorCode.ImageRefreshFailed,
    `looking for a started setup script exited ${there.exitCode}`,
    { retryable: true },
  );
}

/** Runs one command on the template; a non-zero exit fails the refresh with its last words. */
export async function runOrThrow(session: TemplateSession, what: string, command: string) {
  const result = await session.run(command, COMMAND_TIMEOUT_MS);
  if (result.exitCode === 0) return result;
  const said = result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300);
  throw new WhiskpoolError(
    ErrorCode.ImageRefreshFailed,
    `${what} exited ${result.exitCode} as ${session.username}${said ? `: ${said}` : ''}`,
  );
}

async function prepare(
  ctx: PoolContext,
  session: TemplateSession,
  image: SnapshotImage,
  config: ImageConfig,
) {
  const run = (what: string, command: string) => runOrThrow(session, what, command);

  // World-writable: by the time a node writes its files there, it may have no sudo left.
  await run('making /etc/nodepool', 'sudo mkdir -p /etc/nodepool');
  await run('opening /etc/nodepool', 'sudo chmod 0777 /etc/nodepool');

  const scriptDir = ctx.config.scriptDir;
  if (scriptDir === undefined) return;

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
