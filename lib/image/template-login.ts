import { later, type PoolContext, type StepOutcome } from '../pool/context.ts';
import { failRefresh } from './fail.ts';
import type { SnapshotImage } from './image.ts';
import { providerImage } from './in-use.ts';
import { FALLBACK_USERS, loginAsAnyOf, type TemplateSession } from './template-host.ts';
import { POLL_MS } from './timeouts.ts';

/** One SSH connection attempt, handshake and authentication included. */
const LOGIN_TIMEOUT_MS = 10_000;

export type TemplateLoginOutcome = { session: TemplateSession } | { outcome: StepOutcome };

/**
 * Logs in to a refresh's template server as the image's user, then the users of
 * distributions' cloud images. A server that refuses is asked again later for as long as
 * `patienceMs` from the start of the step; then the refresh fails. Every other way out is an
 * outcome for the step to return.
 */
export async function logInToTemplate(
  ctx: PoolContext,
  image: SnapshotImage,
  patienceMs: number,
): Promise<TemplateLoginOutcome> {
  const { provider, image: config } = providerImage(ctx.config, image.provider, image.imageName);
  const serverId = image.serverExternalId ?? '';
  const server = await ctx.cloud(image.provider).getServer(serverId);
  if (!server) return fail(ctx, image, `template server ${serverId} vanished`);
  if (server.status === 'ERROR') {
    const fault = server.fault ? `: ${server.fault.message}` : '';
    return fail(ctx, image, `template server went to ERROR${fault}`);
  }
  if (server.status === 'SHUTOFF') {
    return fail(ctx, image, 'template server is SHUTOFF (powered off by its setup script?)');
  }

  const host = provider.ipv6Preferred ? (server.ipv6 ?? server.ipv4) : (server.ipv4 ?? server.ipv6);
  if (!host) return fail(ctx, image, 'template server is ACTIVE but has no address');

  let privateKey: Buffer;
  try {
    privateKey = await ctx.readPrivateKey(config.privateKey);
  } catch (error) {
    const reason = `private-key ${config.privateKey} cannot be read: ${(error as Error).message}`;
    return fail(ctx, image, reason);
  }

  const usernames = [...new Set([config.username, ...FALLBACK_USERS])];
  const login = await loginAsAnyOf(
    { host, port: server.sshPort, usernames, privateKey, timeoutMs: LOGIN_TIMEOUT_MS },
    ctx.log,
  );
  if ('session' in login) return login;

  const waited = ctx.now() - (image.stepTime ?? image.stateTime);
  if (waited > patienceMs) {
    return fail(ctx, image, `no login within ${patienceMs / 1000} s: ${login.refused}`);
  }
  return {
    outcome: later(POLL_MS, { image: image.id, outcome: 'login-pending', reason: login.refused }),
  };
}

async function fail(ctx: PoolContext, image: SnapshotImage, reason: string) {
  return { outcome: await failRefresh(ctx, image, reason) };
}
