import * as z from 'zod';
import type { Env } from './env.js';
import { inKeyOrder, keysOf, type Problem, requiredWhenMissing } from './issues.js';

type KeyOf<T extends z.ZodObject> = keyof z.input<T> & string;

/**
 * Adds rules across several keys to an object schema. Unlike a plain `superRefine`, they run even
 * when a key's own schema has failed, so that every problem is reported at once; they therefore
 * get the value unchecked, and must look before they use it. zod still skips them after a check
 * that aborts: `.int()` does (check whole numbers with `refine`), and so does `z.custom` unless it
 * is given `abort: false`.
 */
export function withRules<T extends z.ZodObject>(
  schema: T,
  rules: (
    value: { readonly [K in KeyOf<T>]?: unknown },
    problem: (key: KeyOf<T>, message: string) => void,
  ) => void,
): T {
  return schema.superRefine(
    (value, ctx) => rules(value, (key, message) => ctx.addIssue({ code: 'custom', path: [key], message })),
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );
}

/**
 * Checks an object built in code (options given to a module, say) against its schema: one sentence
 * per problem, `key: problem`, in the order of the schema's keys; none when it is good.
 */
export function checkObject(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value, { error: requiredWhenMissing });
  if (result.success) return [];
  return inKeyOrder(result.error.issues, keysOf(schema)).map((issue) =>
    issue.path.length > 0 ? `${String(issue.path[0])}: ${issue.message}` : issue.message,
  );
}

/** How the environment fills an object that `target` validates: see {@link fromEnv}. */
export interface EnvMapping<T extends z.ZodObject> {
  /** The variable each key comes from: the target's problems with a key are reported under it. */
  variables: { readonly [K in KeyOf<T>]?: string };
  /**
   * Builds the target's input from the variables (blank ones are already unset; an undefined key
   * is left out). Convert, do not check: a value the target refuses may go in as it is, and the
   * target says what is wrong with it. What only the environment can get wrong — a variable that
   * cannot be converted, two that exclude each other — goes to `problem(key, message)`, which
   * replaces the target's own problems with that key; with a key that has no variable, the
   * message stands alone and must name the variables itself.
   */
  read(env: Env, problem: (key: KeyOf<T>, message: string) => void): { [K in KeyOf<T>]?: unknown };
}

/**
 * A schema of environment variables whose rules are those of `target`, the schema of the same
 * settings built in code: `read` turns the variables into the target's input, the target checks
 * it, and each of its problems is reported under the variable the key came from, with the value
 * given (see `readEnv`). Every rule is then written once, in `target`.
 */
export function fromEnv<T extends z.ZodObject>(target: T, mapping: EnvMapping<T>) {
  const keys = keysOf(target);
  return z.custom<Env>().transform((env, ctx): z.output<T> => {
    const own: Problem[] = [];
    const input = mapping.read(env, (key, message) => own.push({ path: [key], message }));
    const result = target.safeParse(definedOnly(input), { error: requiredWhenMissing });
    const ownKeys = new Set(own.map((problem) => problem.path[0]));
    const problems = inKeyOrder(
      [
        ...own.map((problem) => ({ ...problem, own: true })),
        ...(result.error?.issues ?? [])
          .filter((issue) => !ownKeys.has(issue.path[0]))
          .map((issue) => ({ path: issue.path, message: issue.message, own: false })),
      ],
      keys,
    );
    for (const { path, message, own: isOwn } of problems) {
      const key = path[0];
      const variable = key === undefined ? undefined : mapping.variables[key as KeyOf<T>];
      ctx.issues.push({
        code: 'custom',
        input: env,
        path: variable ? [variable] : [],
        message: variable || isOwn || key === undefined ? message : `${String(key)}: ${message}`,
      });
    }
    return problems.length > 0 ? z.NEVER : (result.data as z.output<T>);
  });
}

function definedOnly(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}
