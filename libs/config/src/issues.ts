import * as z from 'zod';

/** What a problem is about: a path whose first element names a variable or a key (or nothing). */
export interface Problem {
  path: readonly PropertyKey[];
  message: string;
}

/** Unless a schema says more, a missing value is simply "required". */
export const requiredWhenMissing: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined;

/** The keys of an object schema (under any transform), in the order they are declared. */
export function keysOf(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodPipe) return keysOf(schema.in as z.ZodType);
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  return [];
}

/**
 * Problems in the order of `keys`, those about no key first: each key's problems together, whether
 * its own schema or a rule across keys found them. Stable otherwise.
 */
export function inKeyOrder<P extends Problem>(problems: readonly P[], keys: readonly string[]): P[] {
  const rank = (problem: P) => {
    const key = problem.path[0];
    if (key === undefined) return -1;
    const index = keys.indexOf(String(key));
    return index < 0 ? keys.length : index;
  };
  return [...problems].sort((a, b) => rank(a) - rank(b));
}
