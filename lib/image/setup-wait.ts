import { done, later, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { failRefresh } from './fail.ts';
import { imageFollowUp } from './follow-ups.ts';
import { RefreshStep, type SnapshotImage } from './image.ts';
import { providerImage } from './in-use.ts';
import { advanceStep } from './repository.ts';
import { COMMAND_TIMEOUT_MS } from './setup.ts';
import {
  lastWords,
  parseSetupStatus,
  SETUP_CLEANUP_COMMAND,
  SETUP_JOB_THERE_COMMAND,
  SETUP_OUTPUT_COMMAND,
  SETUP_STATUS_COMMAND,
} from './setup-job.ts';
import type { TemplateSession } from './template-host.ts';
import { logInToTemplate } from './template-login.ts';
import { POLL_MS, SETUP_POLL_MAX_MS, SETUP_TIMEOUT_MS } from './timeouts.ts';

type SetupJob =
  | { running: true }
  | { unknown: string }
  | { gone: true }
  | { unreadable: string }
  | { exitCode: number; said: string };

/** `sync` on a large disk after a long setup can take a while. */
const CLEANUP_TIMEOUT_MS = 3 * COMMAND_TIMEOUT_MS;

/**
 * Looks at the setup script the previous step started: while it runs, comes back later (more
 * seldom the longer it has run); once it ended well, moves on to the snapshot and cleans up
 * after it; once it failed, or vanished with a reboot, ends the refresh.
 */
export async function waitForSetup(ctx: PoolContext, image: SnapshotImage): Promise<StepOutcome> {
  const { image: config } = providerImage(ctx.config, image.provider, image.imageName);
  const script = `setup script ${config.setup ?? ''}`.trim();
  const running = ctx.now() - (image.stepTime ?? image.stateTime);

  const login = await logInToTemplate(ctx, image, SETUP_TIMEOUT_MS);
  if ('outcome' in login) return login.outcome;
  const { session } = login;

  try {
    const job = await lookAt(session).catch((error: unknown) => ({
      unknown: error instanceof Error ? error.message : String(error),
    }));
    if ('gone' in job) {
      return failRefresh(ctx, image, `${script} is gone from the template server (rebooted?)`);
    }
    if ('unreadable' in job) {
      return failRefresh(ctx, image, `${script} left an unreadable status: ${job.unreadable}`);
    }
    if ('exitCode' in job && job.exitCode !== 0) {
      const reason = `${script} exited ${job.exitCode} as ${session.username}`;
      return failRefresh(ctx, image, job.said ? `${reason}: ${job.said}` : reason);
    }
    if ('exitCode' in job) return await finish(ctx, image, session, running);

    if (running > SETUP_TIMEOUT_MS) {
      const hours = SETUP_TIMEOUT_MS / 3600_000;
      return failRefresh(ctx, image, `${script} still ran after ${hours} h`);
    }
    if ('unknown' in job) {
      ctx.log.info({ image: image.id, reason: job.unknown }, 'setup script not seen; will look');
    }
    // A setup script runs for minutes or hours: look often at first, then every half minute.
    const nextLook = Math.min(SETUP_POLL_MAX_MS, Math.max(POLL_MS, running / 4));
    return later(nextLook, { image: image.id, outcome: 'setup-running', runningMs: running });
  } finally {
    session.close();
  }
}

/**
 * The step moves on before the job's files are removed: a second look after the removal
 * would otherwise take the script for gone. Should the cleanup fail, the refresh fails.
 */
async function finish(
  ctx: PoolContext,
  image: SnapshotImage,
  session: TemplateSession,
  running: number,
): Promise<StepOutcome> {
  const moved = await advanceStep(ctx.db, image, RefreshStep.Snapshot, ctx.now());
  if (!moved) return done({ image: image.id, outcome: 'raced' });

  const cleanup = await session.run(SETUP_CLEANUP_COMMAND, CLEANUP_TIMEOUT_MS).catch(
    (error: unknown) => ({ exitCode: -1, stdout: '', stderr: (error as Error).message }),
  );
  if (cleanup.exitCode !== 0) {
    const said = cleanup.stderr.trim().slice(-300);
    const reason = `cleaning up after setup exited ${cleanup.exitCode}${said ? `: ${said}` : ''}`;
    return failRefresh(ctx, moved, reason);
  }

  return done(
    { image: image.id, outcome: 'set-up', user: session.username, runningMs: running },
    [imageFollowUp.step(image.id, RefreshStep.Snapshot)],
  );
}

/** Reads the job's state; a dropped connection or an odd answer is "unknown", never "gone". */
async function lookAt(session: TemplateSession): Promise<SetupJob> {
  const printed = await session.run(SETUP_STATUS_COMMAND, COMMAND_TIMEOUT_MS);
  if (printed.exitCode === 0) {
    const status = parseSetupStatus(printed.stdout);
    if (!('exitCode' in status)) return status;
    if (status.exitCode === 0) return { exitCode: 0, said: '' };
    const output = await session.run(SETUP_OUTPUT_COMMAND, COMMAND_TIMEOUT_MS);
    return { exitCode: status.exitCode, said: lastWords(output.stdout) };
  }
  if (printed.exitCode !== 1) return { unknown: `cat exited ${printed.exitCode}` };

  // No status yet: the script runs, unless its directory went with a reboot.
  const there = await session.run(SETUP_JOB_THERE_COMMAND, COMMAND_TIMEOUT_MS);
  if (there.exitCode === 0) return { running: true };
  if (there.exitCode === 1) return { gone: true };
  return { unknown: `test exited ${there.exitCode}` };
}
