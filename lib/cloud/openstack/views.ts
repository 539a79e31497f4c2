import { z } from 'zod';

import { ErrorCode, WhiskpoolError } from '../../errors.ts';
import type { CallContext } from './api-error.ts';

/**
 * The shapes of the Nova and Glance answers whiskpool reads, checked before use: a proxy, a
 * broken deployment or a different API version can answer 200 with anything, and a server
 * without an id or an address list that is not a list must be refused with a message, not
 * crash a step with a TypeError or slip through as a server named `undefined`.
 */

/** Nova sends `""` or, on some deployments, `null` for an unset string field. */
const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

const address = z
  .object({ addr: z.string(), version: z.number(), 'OS-EXT-IPS:type': z.string().optional() })
  .passthrough();

export const serverView = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    status: z.string().min(1),
    created: z.string(),
    metadata: z.record(z.string()).optional(),
    fault: z.object({ code: z.number(), message: z.string() }).passthrough().optional(),
    addresses: z.record(z.array(address)).optional(),
    accessIPv4: optionalText,
    accessIPv6: optionalText,
    'OS-EXT-STS:task_state': z.string().nullish(),
    'OS-EXT-AZ:availability_zone': optionalText,
  })
  .passthrough();

const links = z.array(z.object({ rel: z.string(), href: z.string() }).passthrough());

export const serverBody = z.object({ server: serverView }).passthrough();

export const serverPage = z
  .object({ servers: z.array(serverView), servers_links: links.optional() })
  .passthrough();

export const flavorView = z
  .object({
    id: z.union([z.string().min(1), z.number()]),
    name: z.string(),
    ram: z.number(),
    vcpus: z.number(),
    disk: z.number(),
  })
  .passthrough();

export const flavorPage = z
  .object({ flavors: z.array(flavorView), flavors_links: links.optional() })
  .passthrough();

export const limitsBody = z
  .object({
    limits: z
      .object({
        absolute: z
          .record(z.number().nullable())
          .transform((all) =>
            Object.fromEntries(
              Object.entries(all).filter((entry): entry is [string, number] => entry[1] !== null),
            ),
          )
          .optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const imageView = z
  .object({
    id: z.string().min(1),
    name: z.string().nullable(),
    status: z.string().min(1),
    created_at: z.string(),
    min_ram: z.number().nullish(),
    min_disk: z.number().nullish(),
  })
  .passthrough();

export const imagePage = z
  .object({ images: z.array(imageView), next: z.string().optional() })
  .passthrough();

/** Neutron's `GET /v2.0/networks`: only what choosing a network needs. */
export const networkList = z.object({
  networks: z.array(z.object({ id: z.string().min(1), name: z.string().nullish() })),
});

/**
 * The body, checked against its view. A body of the wrong shape is `WP_CLOUD_UNAVAILABLE`
 * and retryable, as a body that is not JSON at all is: both are usually a proxy or a cloud
 * in trouble, and the call may well succeed later.
 */
export function readView<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  body: unknown,
  context: CallContext,
): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;

  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw new WhiskpoolError(
    ErrorCode.CloudUnavailable,
    `provider '${context.provider}': ${context.service} ${context.method} ${context.path} ` +
      `answered with unexpected JSON (${where}: ${issue?.message ?? 'invalid'})`,
    { retryable: true },
  );
}
