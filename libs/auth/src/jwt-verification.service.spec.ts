import { createTestIssuer, freePort, TestIssuer } from '@helpline/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { JwtAuthOptions, readJwtAuthOptions } from './jwt-auth.options.js';
import { JwtVerificationService } from './jwt-verification.service.js';

let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer();
});

afterAll(async () => {
  await issuer?.close();
});

afterEach(() => {
  vi.useRealTimers();
  issuer.setJwksAvailable(true);
});

/** jose's JWKS cooldown reads Date.now(); only Date is faked, so sockets and timers run for real. */
function advanceWallClock(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  vi.setSystemTime(Date.now() + ms);
}

const newVerifier = () => new JwtVerificationService(readJwtAuthOptions(issuer.env()).value!);

/** A verifier on a clock the test moves by hand. */
function verifierAt(start: number, extra: Partial<JwtAuthOptions> = {}) {
  const clock = { now: start };
  const verifier = new JwtVerificationService({
    ...readJwtAuthOptions(issuer.env()).value!,
    now: () => clock.now,
    ...extra,
  });
  return { verifier, clock };
}

describe('JWKS keys', () => {
  it('fetches the JWKS once for many tokens, and verifies both the access and the ID key', async () => {
    const verifier = new JwtVerificationService(
      readJwtAuthOptions(issuer.env({ JWT_TOKEN_USE: 'access,id' })).value!,
    );
    const before = issuer.jwksRequests;
    const tokens = await Promise.all([
      ...Array.from({ length: 10 }, () => issuer.accessToken()),
      issuer.idToken(),
    ]);
    await Promise.all(tokens.map((token) => verifier.verify(token)));
    expect(issuer.jwksRequests - before).toBe(1);
  });

  it('rate-limits refetches: a burst of 20 unknown-kid tokens costs at most one extra fetch', async () => {
    const verifier = newVerifier();
    const before = issuer.jwksRequests;
    await verifier.verify(await issuer.accessToken());
    // Long enough after that fetch that an unknown kid may trigger one refetch.
    advanceWallClock(31_000);
    const forged = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        issuer.sign({ sub: 'x', iss: issuer.issuer }, { kid: `unknown-${i}` }),
      ),
    );
    // Half at once, half one after another: neither shape gets past the cooldown.
    const concurrent = await Promise.allSettled(forged.slice(0, 10).map((token) => verifier.verify(token)));
    const sequential: unknown[] = [];
    for (const token of forged.slice(10))
      sequential.push(await verifier.verify(token).catch((error) => error));
    for (const outcome of [
      ...concurrent.map((o) => (o.status === 'rejected' ? o.reason : o)),
      ...sequential,
    ]) {
      expect(outcome).toMatchObject({ code: 'TOKEN_INVALID', status: 401 });
    }
    // The first fetch, then exactly one refetch shared by the whole burst.
    expect(issuer.jwksRequests - before).toBe(2);
  });

  it('picks up a rotated key at once by refetching on its unknown kid', async () => {
    const rotating = await createTestIssuer();
    try {
      const verifier = new JwtVerificationService(readJwtAuthOptions(rotating.env()).value!);
      const oldToken = await rotating.accessToken();
      await verifier.verify(oldToken);
      await rotating.rotateKeys();
      const newToken = await rotating.accessToken();

      // The first unknown kid is refetched for at once: the cooldown only follows a refetch that found nothing new.
      await expect(verifier.verify(newToken)).resolves.toMatchObject({ tokenUse: 'access' });
      expect(rotating.jwksRequests).toBe(2);
      // The old key stays published, so tokens signed before the rotation still verify.
      verifier.clearCache();
      await expect(verifier.verify(oldToken)).resolves.toMatchObject({ tokenUse: 'access' });
    } finally {
      await rotating.close();
    }
  });

  it('fails with JWKS_UNAVAILABLE (503, not 401) while the JWKS endpoint fails, and recovers after', async () => {
    const verifier = newVerifier();
    issuer.setJwksAvailable(false);
    const error = await verifier.verify(await issuer.accessToken()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'JWKS_UNAVAILABLE', status: 503 });
    expect((error as Error).message).toContain(new URL(issuer.jwksUri).host);
    // Not remembered as a failure: once the issuer is back, the same verifier recovers.
    issuer.setJwksAvailable(true);
    await expect(verifier.verify(await issuer.accessToken())).resolves.toMatchObject({ tokenUse: 'access' });
  });

  it('answers 503 JWKS_UNAVAILABLE when nothing listens at JWT_JWKS_URI', async () => {
    const port = await freePort();
    const jwksUri = `http://127.0.0.1:${port}/pool/.well-known/jwks.json`;
    const verifier = new JwtVerificationService(
      readJwtAuthOptions(issuer.env({ JWT_JWKS_URI: jwksUri })).value!,
    );
    await expect(verifier.verify(await issuer.accessToken())).rejects.toMatchObject({
      code: 'JWKS_UNAVAILABLE',
      status: 503,
    });
  });

  it('does not fetch the JWKS for tokens refused on their header (alg none, HS256)', async () => {
    const verifier = newVerifier();
    const before = issuer.jwksRequests;
    await expect(verifier.verify(await issuer.sign({ sub: 'x' }, { alg: 'none' }))).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    });
    expect(issuer.jwksRequests).toBe(before);
  });
});

describe('verification cache', () => {
  it('verifies a token once and answers repeats from the cache with the same frozen principal', async () => {
    const { verifier } = verifierAt(Date.now());
    const token = await issuer.accessToken({ groups: ['admin'] });
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toBe(first);
    expect(verifier.cacheStats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
    // Shared between requests, so a handler must not be able to change it for the next one.
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles) && Object.isFrozen(first.claims)).toBe(
      true,
    );
    expect(() => (first.roles as string[]).push('root')).toThrow();
  });

  it('never answers from the cache at or after exp', async () => {
    const start = Date.now();
    const { verifier, clock } = verifierAt(start, { clockToleranceSeconds: 0 });
    const iat = Math.floor(start / 1000);
    const token = await issuer.accessToken({ issuedAt: iat, expiresIn: 60 });
    await verifier.verify(token);

    clock.now = (iat + 59) * 1000;
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(verifier.cacheStats().hits).toBe(1);

    clock.now = (iat + 60) * 1000;
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(verifier.cacheStats()).toMatchObject({ hits: 1, size: 0 });
  });

  it('does not cache a token past exp even inside the clock tolerance', async () => {
    const start = Date.now();
    const { verifier, clock } = verifierAt(start, { clockToleranceSeconds: 5 });
    const iat = Math.floor(start / 1000) - 100;
    const token = await issuer.accessToken({ issuedAt: iat, expiresIn: 100 });
    clock.now = (iat + 102) * 1000; // 2 s past exp: accepted by the tolerance…
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(verifier.cacheStats().size).toBe(0); // …but not remembered.
    clock.now = (iat + 106) * 1000;
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('does not cache failures', async () => {
    const { verifier } = verifierAt(Date.now());
    const token = await issuer.accessToken({ clientId: 'not-ours' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect(verifier.cacheStats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
  });

  it('is bounded: the least recently used entries are evicted', async () => {
    const { verifier } = verifierAt(Date.now(), { cacheMaxEntries: 3 });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => issuer.accessToken()));
    for (const token of tokens) await verifier.verify(token);
    expect(verifier.cacheStats()).toMatchObject({ size: 3, maxEntries: 3 });
    await verifier.verify(tokens[4]!);
    await verifier.verify(tokens[0]!);
    expect(verifier.cacheStats()).toMatchObject({ hits: 1, misses: 6 });
  });

  it('can be disabled with JWT_CACHE_MAX_ENTRIES=0', async () => {
    const verifier = new JwtVerificationService(
      readJwtAuthOptions(issuer.env({ JWT_CACHE_MAX_ENTRIES: '0' })).value!,
    );
    const token = await issuer.accessToken();
    await verifier.verify(token);
    await verifier.verify(token);
    expect(verifier.cacheStats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
  });
});
