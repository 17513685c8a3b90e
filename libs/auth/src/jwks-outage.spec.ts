import { createTestIssuer, TestIssuer } from '@helpline/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureLogs, eventually, JwksServer, startJwksServer } from './jwks-server.fixture.js';
import { JwtAuthOptions, readJwtAuthOptions } from './jwt-auth.options.js';
import { JwtVerificationService } from './jwt-verification.service.js';
import { startTestApp } from './test-app.fixture.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The clock is Date itself, faked (sockets and timers stay real), rather than the `now` option:
 * everything that reads Date (the issuer's iat and exp, the verifier's default clock, any key
 * cache built on Date.now) then sees the same time.
 */
const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

let issuer: TestIssuer;
let jwks: JwksServer;

beforeAll(async () => {
  issuer = await createTestIssuer({ now: () => Date.now() });
  // The issuer's key set, served by a server whose failures the tests switch on.
  jwks = await startJwksServer(() => issuer.jwks);
});

afterAll(async () => {
  await jwks?.close();
  await issuer?.close();
});

beforeEach(() => {
  jwks.mode = 'up';
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
});

afterEach(() => {
  vi.useRealTimers();
});

function optionsWith(extra: Partial<JwtAuthOptions> = {}) {
  const logs = captureLogs();
  const options: JwtAuthOptions = {
    ...readJwtAuthOptions(issuer.env({ JWT_JWKS_URI: jwks.url })).value!,
    logger: logs.logger,
    ...extra,
  };
  return { options, logs };
}

function verifierWith(extra: Partial<JwtAuthOptions> = {}) {
  const { options, logs } = optionsWith(extra);
  return { verifier: new JwtVerificationService(options), logs };
}

/** Well-formed claims under a `kid` the JWKS has never had. */
const madeUpKid = (kid = 'made-up') =>
  issuer.sign(
    {
      sub: 'x',
      iss: issuer.issuer,
      client_id: issuer.clientId,
      token_use: 'access',
      exp: Math.floor(Date.now() / 1000) + 600,
    },
    { kid },
  );

const failuresRecorded = (verifier: JwtVerificationService, count = 1) =>
  eventually(() => expect(verifier.keySetStatus().consecutiveFailures).toBeGreaterThanOrEqual(count));

describe('JWKS outage', () => {
  it('keeps verifying cached and uncached tokens signed by known keys through a 1-hour outage, and recovers after', async () => {
    const { verifier } = verifierWith();
    const start = Date.now();
    const cached = await issuer.accessToken({ expiresIn: 3 * 3600 });
    await verifier.verify(cached);
    const fetchesBefore = jwks.requests;
    jwks.mode = 'error';

    for (let step = 1; step <= 12; step++) {
      advance(5 * MINUTE);
      await expect(verifier.verify(cached), `cached, +${step * 5} min`).resolves.toMatchObject({
        tokenUse: 'access',
      });
      // Signed by the known key after the outage began: never seen, so verified against the stale keys.
      const fresh = await issuer.accessToken();
      await expect(verifier.verify(fresh), `uncached, +${step * 5} min`).resolves.toMatchObject({
        tokenUse: 'access',
      });
    }
    await failuresRecorded(verifier);
    expect(verifier.keySetStatus()).toMatchObject({
      keys: 2,
      lastSuccessAt: start,
      lastErrorKind: 'http-status',
      stale: true,
      unusable: false,
    });
    // Refreshes were tried, one at a time and at most one per 5-minute step: never one per request.
    expect(jwks.requests - fetchesBefore).toBeGreaterThanOrEqual(1);
    expect(jwks.requests - fetchesBefore).toBeLessThanOrEqual(11);

    jwks.mode = 'up';
    advance(MINUTE);
    await verifier.verify(await issuer.accessToken());
    await eventually(() =>
      expect(verifier.keySetStatus()).toMatchObject({
        lastSuccessAt: Date.now(),
        consecutiveFailures: 0,
        stale: false,
      }),
    );
  });

  it('answers an unknown kid with 503 JWKS_UNAVAILABLE and retryAfterSeconds while the JWKS is down, and verifies it once it is back', async () => {
    const { verifier } = verifierWith();
    await verifier.verify(await issuer.accessToken());
    jwks.mode = 'error';
    advance(20 * MINUTE);
    // Published by the issuer during the outage: we cannot know it, and must not call it invalid.
    await issuer.rotateKeys();
    const rotated = await issuer.accessToken();
    const before = jwks.requests;

    await expect(verifier.verify(rotated)).rejects.toMatchObject({
      code: 'JWKS_UNAVAILABLE',
      status: 503,
      retryAfterSeconds: 30,
    });
    expect(jwks.requests - before).toBe(1);
    // Within the back-off: refused at once, no fetch, and the wait shrinks with the clock.
    advance(12_000);
    await expect(verifier.verify(await madeUpKid())).rejects.toMatchObject({
      code: 'JWKS_UNAVAILABLE',
      retryAfterSeconds: 18,
    });
    expect(jwks.requests - before).toBe(1);
    // A known kid (the ID key) is verified as usual, and refused only because ID tokens are not accepted here.
    await expect(verifier.verify(await issuer.idToken())).rejects.toMatchObject({ code: 'TOKEN_INVALID' });

    jwks.mode = 'up';
    advance(20_000);
    await expect(verifier.verify(rotated)).resolves.toMatchObject({ tokenUse: 'access' });
    // With the JWKS fetched fine, an unknown kid is the token's fault again.
    await expect(verifier.verify(await madeUpKid())).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
      status: 401,
    });
    expect(verifier.keySetStatus()).toMatchObject({ consecutiveFailures: 0, keys: 3, stale: false });
  });

  it('refuses every token with 503 JWKS_UNAVAILABLE once the keys are older than jwksMaxStalenessMs, and recovers without a restart', async () => {
    const { verifier, logs } = verifierWith({ jwksMaxStalenessMs: 2 * HOUR });
    const start = Date.now();
    const cached = await issuer.accessToken({ expiresIn: 4 * 3600 });
    await verifier.verify(cached);
    jwks.mode = 'reset';

    advance(2 * HOUR - 1000);
    await expect(verifier.verify(cached)).resolves.toBeDefined();
    await expect(verifier.verify(await issuer.accessToken())).resolves.toBeDefined();

    advance(1000);
    for (const token of [cached, await issuer.accessToken()]) {
      await expect(verifier.verify(token)).rejects.toMatchObject({
        code: 'JWKS_UNAVAILABLE',
        status: 503,
        retryAfterSeconds: 30,
      });
    }
    expect(verifier.keySetStatus()).toMatchObject({
      lastSuccessAt: start,
      usableUntil: start + 2 * HOUR,
      lastErrorKind: 'network',
      stale: false,
      unusable: true,
    });
    expect(logs.lines.filter((line) => line.level === 'error')).toEqual([
      { level: 'error', message: expect.stringMatching(/older than the 2 h staleness bound/) },
    ]);

    // No back-off without usable keys: the next request fetches, and everything works again.
    jwks.mode = 'up';
    await expect(verifier.verify(cached)).resolves.toMatchObject({ tokenUse: 'access' });
    expect(verifier.keySetStatus()).toMatchObject({
      lastSuccessAt: Date.now(),
      consecutiveFailures: 0,
      unusable: false,
    });
    expect(logs.lines.at(-1)).toEqual({ level: 'log', message: expect.stringMatching(/recovered/) });
  });

  it('logs once when refreshes start failing and once when they recover, naming only the host', async () => {
    const { verifier, logs } = verifierWith();
    const token = await issuer.accessToken({ expiresIn: 3 * 3600 });
    await verifier.verify(token);
    jwks.mode = 'error';
    for (let attempt = 1; attempt <= 3; attempt++) {
      advance(11 * MINUTE);
      verifier.clearCache();
      await verifier.verify(token);
      await failuresRecorded(verifier, attempt);
    }
    const host = new URL(jwks.url).host;
    const keys = issuer.jwks.keys.length;
    expect(logs.lines).toEqual([
      {
        level: 'warn',
        message: `JWKS fetch from ${host} failed (HTTP 500); verifying with the ${keys} key(s) fetched 11 min ago, until ${new Date(Date.now() - 33 * MINUTE + 24 * HOUR).toISOString()}`,
      },
    ]);

    jwks.mode = 'up';
    advance(MINUTE);
    verifier.clearCache();
    await verifier.verify(token);
    await eventually(() => expect(logs.lines).toHaveLength(2));
    expect(logs.lines[1]).toEqual({
      level: 'log',
      message: `JWKS refresh from ${host} recovered after 3 failed attempt(s) over 23 min; ${keys} key(s)`,
    });
    const text = JSON.stringify(logs.lines);
    for (const part of token.split('.')) expect(text).not.toContain(part.slice(0, 16));
    expect(text).not.toContain('/pool/');
  });

  it('over HTTP: a known kid gets 200, an unknown kid 503 with Retry-After and no Bearer challenge', async () => {
    const { options } = optionsWith();
    const app = await startTestApp(options);
    try {
      expect((await app.get('/me', { token: await issuer.accessToken() })).status).toBe(200);
      jwks.mode = 'error';
      advance(HOUR);
      expect((await app.get('/me', { token: await issuer.accessToken() })).status).toBe(200);

      const refused = await app.get('/me', { token: await madeUpKid() });
      expect(refused).toMatchObject({
        status: 503,
        body: { code: 'JWKS_UNAVAILABLE', retryAfterSeconds: 30 },
        retryAfter: '30',
        wwwAuthenticate: null,
      });
      expect(app.verifier.keySetStatus()).toMatchObject({ stale: true, unusable: false });
    } finally {
      await app.close();
    }
  });
});
