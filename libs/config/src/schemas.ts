import * as z from 'zod';

/** An absolute http: or https: URL. */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

const HTTP_URL = 'must be an http(s) URL';

/**
 * An absolute http(s) URL, trimmed. `required` replaces the plain "required" when it is missing
 * (say what it is: `required (the token endpoint, e.g. https://<domain>/oauth2/token)`).
 */
export function httpUrl(options: { required?: string } = {}) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? options.required : HTTP_URL) })
    .trim()
    .refine(isHttpUrl, HTTP_URL);
}

interface Bounds {
  min?: number;
  max?: number;
}

function wholeNumberText(message: string, min: number, max: number) {
  return z
    .string()
    .trim()
    .transform((text, ctx) => {
      const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
      if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
      ctx.issues.push({ code: 'custom', message, input: text });
      return z.NEVER;
    });
}

const bounds = (min: number, max: number) =>
  max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;

/** A variable holding a whole number (`"42"` → 42), from `min` (default 0) to `max`. */
export function wholeNumber({ min = 0, max = Number.MAX_SAFE_INTEGER }: Bounds = {}) {
  return wholeNumberText(`must be a whole number ${bounds(min, max)}`, min, max);
}

/** A variable holding a duration in milliseconds: a whole number from `min` (default 1) to `max`. */
export function milliseconds({ min = 1, max = Number.MAX_SAFE_INTEGER }: Bounds = {}) {
  return wholeNumberText(`must be a whole number of milliseconds ${bounds(min, max)}`, min, max);
}

/** `"a, b c,,a"` → `['a', 'b', 'c']`: items separated by commas and/or white space, each once. */
export function splitList(text: string | undefined): string[] {
  return [...new Set((text ?? '').split(/[\s,]+/).filter(Boolean))];
}

/** A variable holding a comma- and/or space-separated list (`"spa, api"` → `['spa', 'api']`). */
export function list() {
  return z.string().transform(splitList);
}

/** A variable holding `true` or `false`. */
export function booleanFlag() {
  return z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).transform((v) => v === 'true');
}

/** A variable holding one of `values`, exactly as written. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}
