import { describe, expect, it } from 'vitest';
import {
  assertJwtAuthOptions,
  JWT_AUTH_DEFAULTS,
  readJwtAuthOptions,
  validateJwtAuthOptions,
} from './jwt-auth.options.js';

const COGNITO = {
  JWT_JWKS_URI: 'https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_abc/.well-known/jwks.json',
  JWT_ISSUER: 'https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_abc',
};

describe('readJwtAuthOptions', () => {
  it('reads the seed’s Cognito settings with the documented defaults', () => {
    expect(readJwtAuthOptions({ ...COGNITO, JWT_AUDIENCE: 'spa, api ,' })).toEqual({
      problems: [],
      value: {
        mode: 'jwks',
        jwksUri: COGNITO.JWT_JWKS_URI,
        issuer: COGNITO.JWT_ISSUER,
        audience: ['spa', 'api'],
        rolesClaim: 'cognito:groups',
        scopesClaim: 'scope',
        algorithms: ['RS256'],
        tokenUse: ['access'],
        clockToleranceSeconds: 5,
        cacheMaxEntries: 10000,
        maxTokenLength: 16384,
      },
    });
  });

  it('reads secret mode with HS256 by default and no audience check', () => {
    const { value, problems } = readJwtAuthOptions({ JWT_SECRET: 'x'.repeat(32) });
    expect(problems).toEqual([]);
    expect(value).toMatchObject({ mode: 'secret', algorithms: ['HS256'], audience: [] });
  });

  it('reads every optional variable', () => {
    const { value } = readJwtAuthOptions({
      ...COGNITO,
      JWT_ROLES_CLAIM: 'roles',
      JWT_SCOPES_CLAIM: 'scp',
      JWT_ALGORITHMS: 'RS256,ES256',
      JWT_TOKEN_USE: 'access,id',
      JWT_CLOCK_TOLERANCE: '0',
      JWT_CACHE_MAX_ENTRIES: '0',
      JWT_MAX_TOKEN_LENGTH: '8192',
    });
    expect(value).toMatchObject({
      rolesClaim: 'roles',
      scopesClaim: 'scp',
      algorithms: ['RS256', 'ES256'],
      tokenUse: ['access', 'id'],
      clockToleranceSeconds: 0,
      cacheMaxEntries: 0,
      maxTokenLength: 8192,
    });
    expect(readJwtAuthOptions({ ...COGNITO, JWT_TOKEN_USE: 'ANY' }).value?.tokenUse).toBe('any');
  });

  it('treats empty variables as unset', () => {
    const { value } = readJwtAuthOptions({
      ...COGNITO,
      JWT_SECRET: '',
      JWT_AUDIENCE: '',
      JWT_ALGORITHMS: ' ',
    });
    expect(value).toMatchObject({ mode: 'jwks', audience: [], algorithms: ['RS256'] });
  });

  it('returns every problem at once, each naming its variable', () => {
    const { value, problems } = readJwtAuthOptions({
      JWT_JWKS_URI: 'https://issuer.example/jwks.json',
      JWT_SECRET: 'short',
      JWT_ALGORITHMS: 'RS256,none,HS256,XY999',
      JWT_TOKEN_USE: 'refresh',
      JWT_CLOCK_TOLERANCE: '-1',
      JWT_CACHE_MAX_ENTRIES: 'lots',
    });
    expect(value).toBeUndefined();
    expect(problems).toEqual([
      expect.stringMatching(/^JWT_JWKS_URI and JWT_SECRET are both set/),
      'JWT_ISSUER: required when tokens are verified with a JWKS',
      'JWT_SECRET: must be at least 32 bytes long for HS256',
      expect.stringMatching(/^JWT_ALGORITHMS="RS256,none,HS256,XY999": must not contain "none"/),
      expect.stringMatching(
        /^JWT_ALGORITHMS="RS256,none,HS256,XY999": must not contain unknown algorithm "XY999"/,
      ),
      expect.stringMatching(/^JWT_TOKEN_USE="refresh": must be/),
      'JWT_CLOCK_TOLERANCE="-1": must be a whole number ≥ 0',
      'JWT_CACHE_MAX_ENTRIES="lots": must be a whole number ≥ 0',
    ]);
    expect(problems.join('\n')).not.toContain('short');
  });

  it('asks for one of the two modes when neither is set', () => {
    expect(readJwtAuthOptions({}).problems).toEqual([
      expect.stringMatching(/^JWT_JWKS_URI or JWT_SECRET must be set/),
    ]);
  });

  it('refuses HS* against a JWKS and asymmetric algorithms with a secret', () => {
    expect(readJwtAuthOptions({ ...COGNITO, JWT_ALGORITHMS: 'RS256,HS256' }).problems).toEqual([
      expect.stringMatching(
        /^JWT_ALGORITHMS="RS256,HS256": must not contain "HS256", which cannot be used with a JWKS/,
      ),
    ]);
    expect(
      readJwtAuthOptions({ JWT_SECRET: 'x'.repeat(32), JWT_ALGORITHMS: 'RS256,ES256,PS256' }).problems,
    ).toEqual(
      ['RS256', 'ES256', 'PS256'].map((alg) =>
        expect.stringContaining(
          `JWT_ALGORITHMS="RS256,ES256,PS256": must not contain "${alg}", which cannot be used with a shared secret`,
        ),
      ),
    );
    expect(readJwtAuthOptions({ JWT_SECRET: 'x'.repeat(32), JWT_ALGORITHMS: 'None' }).problems).toHaveLength(
      1,
    );
  });

  it('reads JWT_JWKS_MAX_STALENESS in seconds, and leaves the 24 h default to the verifier when unset', () => {
    expect(readJwtAuthOptions({ ...COGNITO, JWT_JWKS_MAX_STALENESS: '3600' }).value?.jwksMaxStalenessMs).toBe(
      3_600_000,
    );
    expect(readJwtAuthOptions({ ...COGNITO, JWT_JWKS_MAX_STALENESS: '600' }).value?.jwksMaxStalenessMs).toBe(
      600_000,
    );
    expect(readJwtAuthOptions({ ...COGNITO, JWT_JWKS_MAX_STALENESS: ' ' }).value).not.toHaveProperty(
      'jwksMaxStalenessMs',
    );
    expect(JWT_AUTH_DEFAULTS.jwksMaxStalenessMs).toBe(24 * 3600 * 1000);
  });

  it('refuses a JWT_JWKS_MAX_STALENESS that is not whole seconds, or shorter than the key refresh age', () => {
    for (const raw of ['-1', '1.5', '1h', '9007199254740991']) {
      expect(readJwtAuthOptions({ ...COGNITO, JWT_JWKS_MAX_STALENESS: raw }), raw).toEqual({
        problems: [`JWT_JWKS_MAX_STALENESS="${raw}": must be a whole number of seconds`],
      });
    }
    expect(readJwtAuthOptions({ ...COGNITO, JWT_JWKS_MAX_STALENESS: '599' })).toEqual({
      problems: [
        'JWT_JWKS_MAX_STALENESS="599": must be at least the key refresh age, jwksCacheMaxAgeMs (600 s)',
      ],
    });
  });

  it('refuses a JWKS URI that is not an http(s) URL', () => {
    expect(readJwtAuthOptions({ ...COGNITO, JWT_JWKS_URI: 'file:///etc/passwd' }).problems).toEqual([
      'JWT_JWKS_URI="file:///etc/passwd": must be an http(s) URL',
    ]);
  });
});

describe('options given in code', () => {
  const good = readJwtAuthOptions(COGNITO).value!;

  it('report every problem', () => {
    expect(
      validateJwtAuthOptions({
        ...good,
        issuer: undefined,
        algorithms: ['HS256'],
        tokenUse: [],
        maxTokenLength: 0,
      }),
    ).toEqual([
      'issuer: required when tokens are verified with a JWKS',
      expect.stringMatching(/^algorithms: must not contain "HS256"/),
      expect.stringMatching(/^tokenUse: must be/),
      'maxTokenLength: must be a whole number ≥ 1',
    ]);
  });

  it('are refused with one ConfigError (CONFIG_INVALID) where they enter', () => {
    expect(() => assertJwtAuthOptions({ ...good, mode: 'secret', maxTokenLength: 0 })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        code: 'CONFIG_INVALID',
        problems: [
          'secret: required in secret mode',
          'algorithms: must not contain "RS256", which cannot be used with a shared secret (HS256, HS384, HS512 only)',
          'maxTokenLength: must be a whole number ≥ 1',
        ],
      }),
    );
    expect(() => assertJwtAuthOptions(good)).not.toThrow();
  });

  it('check the JWKS staleness bound and the logger', () => {
    expect(validateJwtAuthOptions({ ...good, jwksMaxStalenessMs: 1.5 })).toEqual([
      'jwksMaxStalenessMs: must be a whole number of milliseconds ≥ 0',
    ]);
    expect(validateJwtAuthOptions({ ...good, jwksMaxStalenessMs: 599_999 })).toEqual([
      'jwksMaxStalenessMs: must be at least the key refresh age, jwksCacheMaxAgeMs (600 s)',
    ]);
    expect(
      validateJwtAuthOptions({ ...good, jwksCacheMaxAgeMs: 60_000, jwksMaxStalenessMs: 60_000 }),
    ).toEqual([]);
    expect(
      validateJwtAuthOptions({ ...good, logger: { log: () => undefined } as unknown as Console }),
    ).toEqual(['logger: must have log, warn and error methods, or be false']);
    for (const logger of [false as const, console, undefined]) {
      expect(validateJwtAuthOptions({ ...good, logger })).toEqual([]);
    }
  });
});
