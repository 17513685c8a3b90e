import { createTestIssuer, TestIssuer } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJwtAuthOptions } from './jwt-auth.options.js';
import { JwtVerificationService } from './jwt-verification.service.js';
import { startTestApp } from './test-app.fixture.js';

/** One clock for the issuer and the verifiers; tests move it instead of sleeping. */
const clock = { now: Date.now() };
const advance = (ms: number) => {
  clock.now += ms;
};

let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer({ now: () => clock.now });
});

afterAll(async () => {
  await issuer?.close();
});

const options = () => ({
  ...readJwtAuthOptions(issuer.env()).value!,
  now: () => clock.now,
  logger: false as const,
});

/** A verifier that has fetched the JWKS once, and the fetch count from there on. */
async function primedVerifier() {
  const verifier = new JwtVerificationService(options());
  await verifier.verify(await issuer.accessToken());
  const before = issuer.jwksRequests;
  return { verifier, fetches: () => issuer.jwksRequests - before };
}

const madeUpKids = (count: number) =>
  Promise.all(
    Array.from({ length: count }, () =>
      issuer.sign(
        { sub: 'x', iss: issuer.issuer },
        { kid: `made-up-${Math.random().toString(36).slice(2)}` },
      ),
    ),
  );

const settle = (promise: Promise<unknown>) =>
  promise.then(
    (value: unknown) => ({ value }),
    (reason: unknown) => ({ reason }),
  );

/** Half at once, half one after another; every one must be refused as invalid (401). */
async function expectAllRefused(verifier: JwtVerificationService, tokens: string[]) {
  const half = Math.floor(tokens.length / 2);
  const outcomes = await Promise.all(tokens.slice(0, half).map((token) => settle(verifier.verify(token))));
  for (const token of tokens.slice(half)) outcomes.push(await settle(verifier.verify(token)));
  for (const outcome of outcomes) {
    expect(outcome).toMatchObject({ reason: { code: 'TOKEN_INVALID', status: 401 } });
  }
}

describe('key rotation', () => {
  it('verifies a token signed by a key added to the JWKS one second after the last fetch, at once', async () => {
    const { verifier, fetches } = await primedVerifier();
    advance(1000);
    await issuer.rotateKeys();
    await expect(verifier.verify(await issuer.accessToken())).resolves.toMatchObject({ tokenUse: 'access' });
    expect(fetches()).toBe(1);
  });

  it('fetches the JWKS exactly once for 25 concurrent requests with the same new kid (over HTTP)', async () => {
    const app = await startTestApp(options());
    try {
      expect((await app.get('/me', { token: await issuer.accessToken() })).status).toBe(200);
      const before = issuer.jwksRequests;
      advance(1000);
      await issuer.rotateKeys();
      const tokens = await Promise.all(Array.from({ length: 25 }, () => issuer.accessToken()));
      const responses = await Promise.all(tokens.map((token) => app.get('/me', { token })));
      expect(responses.map((response) => response.status)).toEqual(tokens.map(() => 200));
      expect(issuer.jwksRequests - before).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('does not rate-limit a refetch that found a new key: two rotations a second apart both verify at once', async () => {
    const { verifier, fetches } = await primedVerifier();
    for (let rotation = 1; rotation <= 2; rotation++) {
      advance(1000);
      await issuer.rotateKeys();
      await expect(verifier.verify(await issuer.accessToken())).resolves.toBeDefined();
      expect(fetches()).toBe(rotation);
    }
  });

  it('refetches at most once per cooldown for a burst of made-up kids', async () => {
    const { verifier, fetches } = await primedVerifier();
    await expectAllRefused(verifier, await madeUpKids(40));
    expect(fetches()).toBe(1);

    advance(29_000);
    await expectAllRefused(verifier, await madeUpKids(40));
    expect(fetches()).toBe(1);

    advance(2_000); // 31 s after the refetch that found nothing new
    await expectAllRefused(verifier, await madeUpKids(40));
    expect(fetches()).toBe(2);
    expect(verifier.keySetStatus()).toMatchObject({ consecutiveFailures: 0, stale: false, unusable: false });
  });

  it('refuses a key published within a cooldown started by made-up kids (401, no fetch) until the cooldown ends', async () => {
    // The price of the rate limit, documented: a real rotation during a flood waits for the cooldown.
    const { verifier, fetches } = await primedVerifier();
    await expectAllRefused(verifier, await madeUpKids(1));
    advance(1000);
    await issuer.rotateKeys();
    const rotated = await issuer.accessToken();
    await expect(verifier.verify(rotated)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect(fetches()).toBe(1);
    advance(30_000);
    await expect(verifier.verify(rotated)).resolves.toBeDefined();
    expect(fetches()).toBe(2);
  });
});
