import { InvalidArgumentError, type Command } from 'commander';

import type { PoolConfig } from '../../lib/config/index.ts';
import { ErrorCode, WhiskpoolError } from '../../lib/errors.ts';
import {
  imageFollowUp,
  ImageState,
  listImages,
  type SnapshotImage,
} from '../../lib/image/index.ts';
import type { GlobalOptions } from '../config-file.ts';
import { formatAge, renderTable } from '../format/table.ts';
import { withPoolSession, type PoolSession } from '../pool-session.ts';

/** Nodepool's `image-list` columns. */
const HEADERS = [
  'ID',
  'Provider',
  'Image',
  'Hostname',
  'Version',
  'Image ID',
  'Server ID',
  'State',
  'Age',
] as const;

/** `image-list [--json]` and `image-update PROVIDER|all IMAGE [--timeout S]`. */
export function registerImageCommands(program: Command) {
  program
    .command('image-list')
    .description('list the snapshot images, as nodepool image-list')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      const output = await withPoolSession(program.opts<GlobalOptions>(), (session) =>
        runImageList(session, options.json === true),
      );
      process.stdout.write(`${output}\n`);
    });

  program
    .command('image-update')
    .description('ask the pool for a new snapshot of an image, now instead of at the cron')
    .argument('<provider>', 'a provider name, or "all" for every provider with the image')
    .argument('<image>', "the provider image's name")
    .option(
      '--timeout <seconds>',
      'how long the snapshot may take in Glance (default: 6 h)',
      seconds,
    )
    .action(async (provider: string, image: string, options: { timeout?: number }) => {
      const output = await withPoolSession(program.opts<GlobalOptions>(), (session) =>
        runImageUpdate(session, provider, image, options.timeout),
      );
      process.stdout.write(`${output}\n`);
    });
}

export async function runImageList(session: PoolSession, json: boolean): Promise<string> {
  const live = Object.values(ImageState).filter((state) => state !== ImageState.Deleted);
  const images = await listImages(session.db, { states: live });
  return formatImages(images, session.context.now(), json);
}

export function formatImages(images: readonly SnapshotImage[], now: number, json: boolean) {
  if (json) {
    const rows = images.map((image) => ({
      id: image.id,
      provider: image.provider,
      image: image.imageName,
      hostname: image.hostname,
      version: image.version,
      imageId: image.externalId,
      serverId: image.serverExternalId,
      state: image.state,
      step: image.step,
      ageSeconds: Math.floor((now - image.stateTime) / 1000),
      error: image.error,
    }));
    return JSON.stringify(rows, null, 2);
  }

  const rows = images.map((image) => [
    String(image.id),
    image.provider,
    image.imageName,
    image.hostname ?? '',
    String(image.version),
    image.externalId ?? '',
    image.serverExternalId ?? '',
    image.state,
    formatAge(now - image.stateTime),
  ]);
  return renderTable(HEADERS, rows);
}

/**
 * Publishes a refresh request per provider, as the cron does; the pool's image-refresh action
 * does the work. Each request is new (its id carries the time), so asking twice asks twice,
 * and the pool refuses the second while the first runs.
 */
export async function runImageUpdate(
  session: PoolSession,
  provider: string,
  image: string,
  timeoutSeconds?: number,
): Promise<string> {
  const providers = providersWithImage(session.config, provider, image);
  const at = session.context.now();
  const requests = providers.map((name) =>
    imageFollowUp.refresh(
      { provider: name, image, reason: 'operator', timeoutSeconds },
      `operator-${at}`,
    ),
  );
  await session.publish(requests);
  return providers.map((name) => `image ${image} of provider ${name}: update requested`).join('\n');
}

function providersWithImage(config: PoolConfig, provider: string, image: string): string[] {
  const candidates = provider === 'all'
    ? config.providers
    : config.providers.filter((p) => p.name === provider);
  if (provider !== 'all' && candidates.length === 0) {
    throw new WhiskpoolError(ErrorCode.UsageInvalid, `provider "${provider}" is not configured`);
  }

  const found = candidates.filter((p) => p.images.some((i) => i.name === image));
  if (found.length === 0) {
    const where = provider === 'all' ? 'any provider' : `provider "${provider}"`;
    throw new WhiskpoolError(
      ErrorCode.UsageInvalid,
      `image "${image}" is not an image of ${where}`,
    );
  }
  const built = found.filter((p) => p.images.some((i) => i.name === image && i.diskimage));
  if (built.length > 0) {
    throw new WhiskpoolError(
      ErrorCode.UsageInvalid,
      `image "${image}" is built by diskimage-builder, which whiskpool does not run`,
    );
  }
  return found.map((p) => p.name);
}

function seconds(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number <= 0) {
    throw new InvalidArgumentError(`must be a positive number of seconds, got "${value}"`);
  }
  return number;
}
