import { isWhiskpoolError } from '../errors.ts';
import { done, later, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { bootTemplate } from './boot.ts';
import { failRefresh } from './fail.ts';
import { ImageState, RefreshStep, type SnapshotImage } from './image.ts';
import { providerImage } from './in-use.ts';
import type { ImageStepMessage } from './messages.ts';
import { claimStep, getImage, releaseStep } from './repository.ts';
import { setupTemplate } from './setup.ts';
import { waitForSetup } from './setup-wait.ts';
import { takeSnapshot, waitForSnapshot } from './snapshot.ts';
import { switchToSnapshot } from './switch.ts';
import {
  CALL_LEASE_MS,
  CONNECT_TIMEOUT_MS,
  IMAGE_TIMEOUT_SECONDS,
  POLL_MS,
  SETUP_LEASE_MS,
  SETUP_TIMEOUT_MS,
} from './timeouts.ts';
import { waitForTemplate } from './wait-server.ts';

type StepRun = (ctx: PoolContext, image: SnapshotImage) => Promise<StepOutcome>;

const RUNS: Record<RefreshStep, StepRun> = {
  [RefreshStep.Boot]: bootTemplate,
  [RefreshStep.WaitServer]: waitForTemplate,
  [RefreshStep.Setup]: (ctx, image) => setupTemplate(ctx, image),
  [RefreshStep.SetupWait]: waitForSetup,
  [RefreshStep.Snapshot]: takeSnapshot,
  [RefreshStep.WaitImage]: waitForSnapshot,
  [RefreshStep.Switch]: switchToSnapshot,
};

/**
 * Steps that change the cloud or the template server hold a lease while they work:
 * JetStream hands a message out again after a minute without an answer, and scripts must not
 * be copied over a setup script that started. Steps that only look need none.
 */
const LEASES: Partial<Record<RefreshStep, number>> = {
  [RefreshStep.Boot]: CALL_LEASE_MS,
  [RefreshStep.Setup]: SETUP_LEASE_MS,
  [RefreshStep.SetupWait]: SETUP_LEASE_MS,
  [RefreshStep.Snapshot]: CALL_LEASE_MS,
  [RefreshStep.Switch]: CALL_LEASE_MS,
};

/** A cloud that keeps failing a call (over quota, down) is retried for this long. */
const CALL_RETRY_MS = 10 * 60_000;
/** Beyond its own limit, a step nobody drives any more is taken for abandoned after this. */
const ABANDON_GRACE_MS = 5 * 60_000;

/**
 * Runs the step a building image is at, if it is still at the step the message names. An
 * expected failure ends the refresh (and cleans up after it); a cloud that is only busy or
 * away is asked again later, within the step's limit.
 */
export async function runRefreshStep(
  ctx: PoolContext,
  message: ImageStepMessage,
): Promise<StepOutcome> {
  const image = await getImage(ctx.db, message.imageId);
  if (!image) return done({ image: message.imageId, outcome: 'unknown-image' });
  if (image.state !== ImageState.Building || image.step !== message.step) {
    return done({ image: image.id, outcome: 'moved-on', state: image.state, step: image.step });
  }
  const step = message.step;

  const leaseMs = LEASES[step];
  const until = leaseMs === undefined ? undefined : ctx.now() + leaseMs;
  if (until !== undefined && !(await claimStep(ctx.db, image, ctx.now(), until))) {
    return later(5 * POLL_MS, { image: image.id, outcome: 'step-busy', step });
  }

  try {
    return await RUNS[step](ctx, image);
  } catch (error) {
    if (!isWhiskpoolError(error)) throw error;
    if (!error.retryable) return failRefresh(ctx, image, `${step}: ${error.message}`);

    const waited = ctx.now() - (image.stepTime ?? image.stateTime);
    if (waited > CALL_RETRY_MS) {
      const seconds = Math.round(waited / 1000);
      return failRefresh(ctx, image, `${step}: still failing after ${seconds} s: ${error.message}`);
    }
    ctx.log.info({ image: image.id, step, err: error.message }, 'image step will be retried');
    return later(error.retryAfterMs ?? 5 * POLL_MS, { image: image.id, outcome: 'retry', step });
  } finally {
    if (until !== undefined) await releaseStep(ctx.db, image, until);
  }
}

/**
 * Whether a building image has stopped moving: no lease held and its step well past the
 * longest it may take. Its messages were lost (or parked after too many failures), and only
 * a new refresh request can clean it up.
 */
export function isAbandoned(ctx: PoolContext, image: SnapshotImage): boolean {
  if (image.state !== ImageState.Building || image.step === null) return false;
  const now = ctx.now();
  if (image.leaseUntil !== null && image.leaseUntil > now) return false;

  const since = image.stepTime ?? image.stateTime;
  return now - since > stepLimitMs(ctx, image) + ABANDON_GRACE_MS;
}

function stepLimitMs(ctx: PoolContext, image: SnapshotImage): number {
  switch (image.step) {
    case RefreshStep.WaitServer: {
      const { provider } = providerImage(ctx.config, image.provider, image.imageName);
      return provider.launchTimeout * 1000;
    }
    case RefreshStep.Setup:
      return CONNECT_TIMEOUT_MS;
    case RefreshStep.SetupWait:
      return SETUP_TIMEOUT_MS;
    case RefreshStep.WaitImage:
      return (image.timeoutSeconds ?? IMAGE_TIMEOUT_SECONDS) * 1000;
    default:
      return CALL_RETRY_MS;
  }
}
