import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import {
  assembleConfig,
  booleanFlag,
  ConfigError,
  httpUrl,
  list,
  milliseconds,
  oneOf,
  parseEnv,
  readEnv,
  wholeNumber,
} from './index.js';

const schema = z.object({
  PORT: wholeNumber({ min: 0, max: 65535 }).default(3000),
  LOG_LEVEL: oneOf(['info', 'debug']).default('info'),
  UPSTREAM_URL: httpUrl(),
  TIMEOUT_MS: milliseconds().default(5000),
  AUDIENCE: list().default([]),
  SEED: booleanFlag().default(false),
  API_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
});

describe('readEnv', () => {
  it('turns the variables into values, with defaults for the unset and the blank ones', () => {
    expect(
      readEnv(schema, {
        PORT: '8080',
        LOG_LEVEL: '',
        UPSTREAM_URL: ' https://up.example/ ',
        TIMEOUT_MS: '   ',
        AUDIENCE: 'spa, api api,,',
        SEED: 'true',
        UNRELATED: 'x',
      }),
    ).toEqual({
      problems: [],
      value: {
        PORT: 8080,
        LOG_LEVEL: 'info',
        UPSTREAM_URL: 'https://up.example/',
        TIMEOUT_MS: 5000,
        AUDIENCE: ['spa', 'api'],
        SEED: true,
      },
    });
  });

  it('names every bad variable with the value given, a missing one as required', () => {
    expect(
      readEnv(schema, {
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        TIMEOUT_MS: '0',
        SEED: 'yes',
      }),
    ).toEqual({
      problems: [
        'PORT="eighty": must be a whole number from 0 to 65535',
        'LOG_LEVEL="loud": must be one of info, debug',
        'UPSTREAM_URL: required',
        'TIMEOUT_MS="0": must be a whole number of milliseconds ≥ 1',
        'SEED="yes": must be "true" or "false"',
      ],
    });
  });

  it('never shows a concealed value, nor a URL with a password', () => {
    const { problems } = readEnv(
      schema,
      { API_KEY: 'short-secret', UPSTREAM_URL: 'ftp://user:pw@host/' },
      {
        conceal: ['API_KEY'],
      },
    );
    expect(problems).toEqual([
      'UPSTREAM_URL: must be an http(s) URL',
      'API_KEY: must be at least 32 characters',
    ]);
  });

  it('puts a problem about several variables first, on its own', () => {
    const exclusive = z
      .object({ A: z.string().optional(), B: z.string().optional(), C: wholeNumber().optional() })
      .refine((v) => !(v.A && v.B), { message: 'A and B are both set: set one of them' });
    expect(readEnv(exclusive, { A: 'a', B: 'b' }).problems).toEqual([
      'A and B are both set: set one of them',
    ]);
  });

  it('reads through a transform into the config object', () => {
    const config = schema.transform((v) => ({ port: v.PORT, seed: v.SEED }));
    expect(readEnv(config, { UPSTREAM_URL: 'http://x' }).value).toEqual({ port: 3000, seed: false });
    expect(readEnv(config, { PORT: '-1' }).problems).toEqual([
      'PORT="-1": must be a whole number from 0 to 65535',
      'UPSTREAM_URL: required',
    ]);
  });
});

describe('parseEnv and assembleConfig', () => {
  it('throw one CONFIG_INVALID error naming every problem of every part', () => {
    let error: unknown;
    try {
      assembleConfig('user-service', {
        service: readEnv(schema, { PORT: 'x', UPSTREAM_URL: 'http://up' }),
        other: readEnv(z.object({ NAME: z.string() }), {}),
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      source: 'user-service',
      problems: ['PORT="x": must be a whole number from 0 to 65535', 'NAME: required'],
      message:
        'user-service: invalid configuration:\n' +
        '  - PORT="x": must be a whole number from 0 to 65535\n' +
        '  - NAME: required',
    });
    expect(() => parseEnv('triggers', schema, {})).toThrow(
      /^triggers: invalid configuration:\n {2}- UPSTREAM_URL: required$/,
    );
  });

  it('return the values when every part is good', () => {
    expect(parseEnv('x', z.object({ N: wholeNumber() }), { N: '7' })).toEqual({ N: 7 });
    expect(assembleConfig('x', { a: { value: 1, problems: [] }, b: { value: 'b', problems: [] } })).toEqual({
      a: 1,
      b: 'b',
    });
  });
});

describe('the variable schemas', () => {
  it('take whole numbers only, within their bounds', () => {
    const n = wholeNumber({ min: 1, max: 10 });
    expect(['1', ' 10 '].map((t) => n.parse(t))).toEqual([1, 10]);
    for (const bad of ['0', '11', '1.5', '1e1', '0x5', 'ten', '-'])
      expect(n.safeParse(bad).success, bad).toBe(false);
    expect(wholeNumber().safeParse('9007199254740993').success).toBe(false);
  });

  it('accept http and https URLs only', () => {
    for (const good of ['http://localhost:3000', 'https://a.example/x?y'])
      expect(httpUrl().safeParse(good).success).toBe(true);
    for (const bad of ['ftp://a', 'localhost:3000', '/path', 'file:///etc/passwd'])
      expect(httpUrl().safeParse(bad).success, bad).toBe(false);
  });
});
