import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { checkObject, fromEnv, readEnv, withRules } from './index.js';

const count = z
  .number({ error: (issue) => (issue.input === undefined ? undefined : 'must be a whole number') })
  .refine(Number.isSafeInteger, 'must be a whole number');

/** Settings given in code... */
const options = withRules(
  z.object({
    mode: z.enum(['a', 'b'], { error: 'must be "a" or "b"' }),
    url: z.string().optional(),
    retries: count,
    timeoutMs: count.optional(),
  }),
  (o, problem) => {
    if (o.mode === 'a' && o.url === undefined) problem('url', 'required in mode a');
    if (typeof o.timeoutMs === 'number' && o.timeoutMs < 10) problem('timeoutMs', 'must be at least 10');
  },
);

/** ...and the same settings from the environment. */
const fromEnvironment = fromEnv(options, {
  variables: { url: 'URL', retries: 'RETRIES', timeoutMs: 'TIMEOUT_S' },
  read(env, problem) {
    const seconds = env.TIMEOUT_S;
    if (seconds !== undefined && !/^\d+$/.test(seconds))
      problem('timeoutMs', 'must be a whole number of seconds');
    if (env.URL && env.NO_URL) problem('mode', 'URL and NO_URL are both set');
    return {
      mode: env.URL ? 'a' : 'b',
      url: env.URL,
      retries: env.RETRIES === undefined ? 3 : /^\d+$/.test(env.RETRIES) ? Number(env.RETRIES) : env.RETRIES,
      timeoutMs: seconds && /^\d+$/.test(seconds) ? Number(seconds) * 1000 : undefined,
    };
  },
});

describe('checkObject', () => {
  it('reports every problem as "key: problem", rules across keys included, in the order of the keys', () => {
    expect(checkObject(options, { mode: 'a', retries: 1.5, timeoutMs: 5 })).toEqual([
      'url: required in mode a',
      'retries: must be a whole number',
      'timeoutMs: must be at least 10',
    ]);
    expect(checkObject(options, { mode: 'c' })).toEqual(['mode: must be "a" or "b"', 'retries: required']);
    expect(checkObject(options, { mode: 'b', retries: 0 })).toEqual([]);
  });
});

describe('fromEnv', () => {
  it('gives the target’s value', () => {
    expect(readEnv(fromEnvironment, { URL: 'http://x', TIMEOUT_S: '2' })).toEqual({
      problems: [],
      value: { mode: 'a', url: 'http://x', retries: 3, timeoutMs: 2000 },
    });
  });

  it('reports the target’s problems under the variables, with the values given', () => {
    expect(readEnv(fromEnvironment, { RETRIES: 'many', TIMEOUT_S: '0' }).problems).toEqual([
      'RETRIES="many": must be a whole number',
      'TIMEOUT_S="0": must be at least 10',
    ]);
  });

  it('lets the environment’s own problems replace the target’s for the same key', () => {
    expect(readEnv(fromEnvironment, { URL: 'http://x', NO_URL: '1', TIMEOUT_S: '2h' }).problems).toEqual([
      'URL and NO_URL are both set',
      'TIMEOUT_S="2h": must be a whole number of seconds',
    ]);
  });

  it('names the key of a problem that has no variable', () => {
    const strict = fromEnv(options, { variables: {}, read: () => ({ mode: 'x', retries: 1 }) });
    expect(readEnv(strict, {}).problems).toEqual(['mode: must be "a" or "b"']);
  });
});
