import { z } from 'zod';

import type { KeyPath } from './problems.ts';

/**
 * Finds keys the schema does not know, walking the data beside the schema. Nodepool ignored
 * unknown keys, and files in the wild carry keys of other versions and local patches, so
 * these are warnings, never errors. Returns the path of each unknown key.
 */
export function findUnknownKeys(
  schema: z.ZodTypeAny,
  data: unknown,
  path: KeyPath = [],
): KeyPath[] {
  const inner = unwrap(schema);

  if (inner instanceof z.ZodObject) {
    if (!isMapping(data)) return [];
    const shape = inner.shape as Record<string, z.ZodTypeAny>;
    const found: KeyPath[] = [];
    for (const [key, value] of Object.entries(data)) {
      const child = shape[key];
      if (child === undefined) found.push([...path, key]);
      else found.push(...findUnknownKeys(child, value, [...path, key]));
    }
    return found;
  }

  if (inner instanceof z.ZodArray) {
    if (!Array.isArray(data)) return [];
    const element = inner.element as z.ZodTypeAny;
    return data.flatMap((item, index) => findUnknownKeys(element, item, [...path, index]));
  }

  return [];
}

/** Looks through optional, default and effect wrappers to the schema that holds the shape. */
function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodTypeAny;
    } else if (current instanceof z.ZodDefault) {
      current = current.removeDefault() as z.ZodTypeAny;
    } else if (current instanceof z.ZodEffects) {
      current = current.innerType() as z.ZodTypeAny;
    } else {
      return current;
    }
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
