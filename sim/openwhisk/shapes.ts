import { z } from 'zod';

/**
 * The request bodies OpenWhisk's REST API takes, as strict as the controller is: a field of
 * the wrong type, or one it does not know, is refused with 400 rather than ignored, so a
 * deployment that passes here sends what OpenWhisk reads.
 */

/** Entity names: letters, digits, `_@.-` and inner spaces; at most 256 characters. */
export const ENTITY_NAME = /^[\w@.-](?:[\w@ .-]{0,254}[\w@.-])?$/;

/** Stock OpenWhisk limits (docs/reference.md); concurrency's top is the operator's choice. */
export const LIMIT_RANGES = {
  timeout: [100, 300_000],
  memory: [128, 512],
  logs: [0, 10],
} as const;

const KeyValue = z.object({ key: z.string().min(1), value: z.unknown() }).strict();
export const KeyValues = z.array(KeyValue);
export type KeyValues = z.infer<typeof KeyValues>;

const Exec = z
  .object({
    kind: z.string().min(1),
    code: z.string().optional(),
    binary: z.boolean().optional(),
    main: z.string().min(1).optional(),
    image: z.string().optional(),
    components: z.array(z.string()).optional(),
  })
  .strict();

export function limitsShape(maxConcurrency: number) {
  const within = ([min, max]: readonly [number, number]) => z.number().int().min(min).max(max);
  return z
    .object({
      timeout: within(LIMIT_RANGES.timeout).optional(),
      memory: within(LIMIT_RANGES.memory).optional(),
      logs: within(LIMIT_RANGES.logs).optional(),
      concurrency: z.number().int().min(1).max(maxConcurrency).optional(),
    })
    .strict();
}

export function actionPut(maxConcurrency: number) {
  return z
    .object({
      exec: Exec.optional(),
      parameters: KeyValues.optional(),
      annotations: KeyValues.optional(),
      limits: limitsShape(maxConcurrency).optional(),
      version: z.string().optional(),
      publish: z.boolean().optional(),
    })
    .strict();
}

export const PackagePut = z
  .object({
    parameters: KeyValues.optional(),
    annotations: KeyValues.optional(),
    publish: z.boolean().optional(),
    version: z.string().optional(),
    binding: z
      .object({ namespace: z.string(), name: z.string() })
      .strict()
      .or(z.object({}).strict())
      .optional(),
  })
  .strict();

export const TriggerPut = z
  .object({
    parameters: KeyValues.optional(),
    annotations: KeyValues.optional(),
    limits: z.object({}).strict().optional(),
    publish: z.boolean().optional(),
    version: z.string().optional(),
  })
  .strict();

/** Fully qualified `/namespace/name` or `/namespace/package/name`. */
const QualifiedName = z
  .string()
  .regex(/^\/[^/]+\/[^/]+(\/[^/]+)?$/, 'must be /namespace/[package/]name');

export const RulePut = z
  .object({
    trigger: QualifiedName.optional(),
    action: QualifiedName.optional(),
    annotations: KeyValues.optional(),
    publish: z.boolean().optional(),
    version: z.string().optional(),
  })
  .strict();

export const RuleStatus = z.object({ status: z.enum(['active', 'inactive']) }).strict();

/** Parameters of an invocation or a trigger fire: one JSON object. */
export const Payload = z.record(z.string(), z.unknown());

export const LIFECYCLE_EVENTS = ['CREATE', 'READ', 'UPDATE', 'DELETE', 'PAUSE', 'UNPAUSE'] as const;

/** What `/whisk.system/alarms/alarm` takes, beside its lifecycle fields. */
export const AlarmFeedParams = z
  .object({
    lifecycleEvent: z.enum(LIFECYCLE_EVENTS),
    triggerName: QualifiedName,
    authKey: z.string().regex(/^[^:]+:.+$/, 'must be uuid:key'),
    cron: z.string().min(1).optional(),
    trigger_payload: z.record(z.string(), z.unknown()).optional(),
    timezone: z.string().optional(),
    startDate: z.union([z.string(), z.number()]).optional(),
    stopDate: z.union([z.string(), z.number()]).optional(),
    strict: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  })
  .strict();
export type AlarmFeedParams = z.infer<typeof AlarmFeedParams>;

/** The query options each kind of request may carry. */
export const QUERY_OPTIONS = {
  put: ['overwrite'],
  get: ['code', 'skip', 'limit', 'count', 'docs', 'name', 'since', 'upto', 'public'],
  invoke: ['blocking', 'result', 'timeout'],
  none: [],
} as const;

export function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
}
