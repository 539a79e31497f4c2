import { z } from 'zod';

import type { PoolConfig } from '../config/index.ts';
import { ErrorCode, WhiskpoolError } from '../errors.ts';
import type { CarriedFiles } from './carried-files.ts';

/**
 * What every action receives besides its event, under the `whiskpool` parameter. On OpenWhisk
 * these are the package's default parameters; the local action host adds the same ones.
 */
export interface ActionSettings {
  /** The validated, normalised configuration (it carries secrets: never log it whole). */
  config: PoolConfig;
  /** Changes whenever the configuration does, so warm containers rebuild their clients. */
  configVersion: string;
  databaseUrl: string;
  natsUrl: string;
  logLevel?: string;
  /** Private keys and script-dir, where the actions run away from the operator's disk. */
  files?: CarriedFiles;
}

const SettingsSchema = z.object({
  config: z.object({ providers: z.array(z.unknown()), labels: z.array(z.unknown()) }).passthrough(),
  configVersion: z.string().min(1),
  databaseUrl: z.string().min(1),
  natsUrl: z.string().min(1),
  logLevel: z.string().optional(),
  files: z
    .object({
      privateKeys: z.record(z.string()),
      scripts: z
        .array(z.object({ name: z.string(), mode: z.number().int(), base64: z.string() }))
        .optional(),
    })
    .optional(),
});

export function parseSettings(value: unknown): ActionSettings {
  const parsed = SettingsSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `whiskpool.${i.path.join('.')}: ${i.message}`);
    throw new WhiskpoolError(
      ErrorCode.ConfigInvalid,
      `action settings are incomplete: ${problems.join('; ')}`,
    );
  }
  return parsed.data as unknown as ActionSettings;
}
