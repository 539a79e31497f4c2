import { done, later, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { failRefresh } from './fail.ts';
import { imageFollowUp } from './follow-ups.ts';
import { RefreshStep, type SnapshotImage } from './image.ts';
import { providerImage } from './in-use.ts';
import { advanceStep } from './repository.ts';
import { COMMAND_TIMEOUT_MS, runOrThrow } from './setup.ts';
import {
  parseSetupStatus,
  SETUP_CLEANUP_COMMAND,
  SETUP_JOB_THERE_COMMAND,
  SETUP_OUTPUT_COMMAND,
  SETUP_STATUS_COMMAND,
} from './setup-job.ts';
import type { TemplateSession } from './template-host.ts';
import { logInToTemplate } from './template-login.ts';
import { POLL_MS, SETUP_POLL_MAX_MS, SETUP_TIMEOUT_MS } from './timeouts.ts';

type SetupJob = { running: true } | { gone: true } | { exitCode: number; said: string };

/**
 * Looks at the setup script the previous step started: while it runs, comes back later (more
 * seldom the longer it has run); once it ended well, cleans up after it and goes on to the
 * snapshot; once it failed, or vanished with a reboot, ends the refresh.
 */
export async function waitForSetup(ctx: PoolContext, image: SnapshotImage): Promise<StepOutcome> {
  const { image: config } = providerImage(ctx.config, image.provider, image.imageName);
  const script = `setup script ${config.setup ?? ''}`.trim();
  const running = ctx.now() - (image.stepTime ?? image.stateTime);

  const login = await logInToTemplate(ctx, image, SETUP_TIMEOUT_MS);
  if ('outcome' in login) return login.outcome;
  const { session } = login;

  let job: SetupJob;
  try {
    job = await lookAt(session);
    if ('exitCode' in job && job.exitCode === 0) {
      await runOrThrow(session, 'cleaning up after setup', SETUP_CLEANUP_COMMAND);
    }
  } catch (error) {
    return failRefresh(ctx, image, error instanceof Error ? error.message : String(error));
  } finally {
    session.close();
  }

  if ('gone' in job) {
    return failRefresh(ctx, image, `${script} is gone from the template server (rebooted?)`);
  }
  if ('running' in job) {
    if (running > SETUP_TIMEOUT_MS) {
      const hours = SETUP_TIMEOUT_MS / 3600_000;
      return failRefresh(ctx, image, `${script} still ran after ${hours} h`);
    }
    // A setup script runs for minutes or hours: look often at first, then every half minute.
    const nextLook = Math.min(SETUP_POLL_MAX_MS, Math.max(POLL_MS, running / 4));
    return later(nextLook, { image: image.id, outcome: 'setup-running', runningMs: running });
  }
  if (job.exitCode !== 0) {
    const reason = `${script} exited ${job.exitCode} as ${session.username}`;
    return failRefresh(ctx, image, job.said ? `${reason}: ${job.said}` : reason);
  }

  const moved = await advanceStep(ctx.db, image, RefreshStep.Snapshot, ctx.now());
  if (!moved) return done({ image: image.id, outcome: 'raced' });
  return done(
    { image: image.id, outcome: 'set-up', user: session.username, runningMs: running },
    [imageFollowUp.step(image.id, RefreshStep.Snapshot)],
  );
}

async function lookAt(session: TemplateSession): Promise<SetupJob> {
  // cat fails while the script runs: the status file is written when it ends.
  const printed = await session.run(SETUP_STATUS_COMMAND, COMMAND_TIMEOUT_MS);
  const exitCode = printed.exitCode === 0 ? parseSetupStatus(printed.stdout) : null;
  if (exitCode === null) {
    const there = await session.run(SETUP_JOB_THERE_COMMAND, COMMAND_TIMEOUT_MS);
    return there.exitCode === 0 ? { running: true } : { gone: true };
  }
  if (exitCode === 0) return { exitCode, said: '' };

  const output = await session.run(SETUP_OUTPUT_COMMAND, COMMAND_TIMEOUT_MS);
  const said = output.stdout.trim().split('\n').filter(Boolean).join(' | ').slice(0, 300);
  return { exitCode, said };
}
