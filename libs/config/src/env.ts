import type * as z from 'zod';
import { ConfigError } from './config-error.js';
import { inKeyOrder, keysOf, type Problem, requiredWhenMissing } from './issues.js';

/** Environment variables, as `process.env` has them. */
export type Env = Record<string, string | undefined>;

/** One part of a configuration: its value when the input was good, and one sentence per problem. */
export interface ConfigPart<T> {
  value?: T;
  problems: string[];
}

export interface ReadEnvOptions {
  /**
   * Variables whose value never appears in a problem (secrets, URLs with passwords). A value that
   * is a URL with a password is never shown either way.
   */
  conceal?: readonly string[];
}

/**
 * Reads environment variables through a zod schema — usually `z.object({ VAR: ... })`, perhaps
 * transformed into the config object. A variable that is empty or blank counts as unset (compose
 * files and CI often export `VAR=`). Each problem names its variable and the value given
 * (`PORT="eighty": must be a whole number from 0 to 65535`), except a concealed one's; a problem
 * about no variable in particular is its message alone.
 */
export function readEnv<S extends z.ZodType>(
  schema: S,
  env: Env,
  options: ReadEnvOptions = {},
): ConfigPart<z.output<S>> {
  const given = withoutBlanks(env);
  const result = schema.safeParse(given, { error: requiredWhenMissing });
  if (result.success) return { value: result.data, problems: [] };
  const conceal = new Set(options.conceal);
  return {
    problems: inKeyOrder(result.error.issues, keysOf(schema)).map((issue) => describe(issue, given, conceal)),
  };
}

/** {@link readEnv}, throwing one {@link ConfigError} that names every problem. */
export function parseEnv<S extends z.ZodType>(
  source: string,
  schema: S,
  env: Env,
  options: ReadEnvOptions = {},
): z.output<S> {
  const part = readEnv(schema, env, options);
  if (part.problems.length > 0) throw new ConfigError(source, part.problems);
  return part.value as z.output<S>;
}

/**
 * Combines parts read separately (service basics, auth, database...) into one value, or throws one
 * ConfigError naming every problem of every part.
 */
export function assembleConfig<P extends Record<string, ConfigPart<unknown>>>(
  source: string,
  parts: P,
): { [K in keyof P]: NonNullable<P[K]['value']> } {
  const problems = Object.values(parts).flatMap((part) => part.problems);
  if (problems.length > 0) throw new ConfigError(source, problems);
  const out: Record<string, unknown> = {};
  for (const [key, part] of Object.entries(parts)) out[key] = part.value;
  return out as { [K in keyof P]: NonNullable<P[K]['value']> };
}

function withoutBlanks(env: Env): Env {
  const out: Env = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') out[name] = value;
  }
  return out;
}

function describe(problem: Problem, env: Env, conceal: ReadonlySet<string>): string {
  const variable = problem.path[0];
  if (typeof variable !== 'string') return problem.message;
  const value = env[variable];
  const shown = value !== undefined && !conceal.has(variable) && !hasPassword(value);
  return shown
    ? `${variable}=${JSON.stringify(value)}: ${problem.message}`
    : `${variable}: ${problem.message}`;
}

function hasPassword(value: string): boolean {
  try {
    return new URL(value).password !== '';
  } catch {
    return false;
  }
}
