import { createTestIssuer, TestIssuer } from '@helpline/testing';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureLogs, eventually, JwksServer, startJwksServer } from './jwks-server.fixture.js';
import { JwtAuthOptions, readJwtAuthOptions } from './jwt-auth.options.js';
import { JwtVerificationService } from './jwt-verification.service.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A faked Date (sockets and timers stay real), read by the issuer and the verifiers alike. */
const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

let issuer: TestIssuer;
let jwks: JwksServer;

beforeAll(async () => {
  issuer = await createTestIssuer({ now: () => Date.now() });
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

function verifierWith(extra: Partial<JwtAuthOptions> = {}) {
  const logs = captureLogs();
  const verifier = new JwtVerificationService({
    ...readJwtAuthOptions(issuer.env({ JWT_JWKS_URI: jwks.url })).value!,
    logger: logs.logger,
    ...extra,
  });
  return { verifier, logs };
}

const madeUpKid = () => issuer.sign({ sub: 'x', iss: issuer.issuer }, { kid: 'made-up' });

/** The verification's outcome and how long it took in real time (the faked Date does not move). */
async function timed(promise: Promise<unknown>): Promise<{ value?: unknown; reason?: unknown; ms: number }> {
  const started = performance.now();
  const outcome = await promise.then(
    (value: unknown) => ({ value }),
    (reason: unknown) => ({ reason }),
  );
  return { ...outcome, ms: performance.now() - started };
}

describe('a hung JWKS server (accepts the connection, never answers)', () => {
  it('does not delay a request whose kid is known: stale keys verify at once while the refresh hangs', async () => {
    const { verifier } = verifierWith({ jwksTimeoutMs: 10_000 });
    await verifier.verify(await issuer.accessToken());
    const before = jwks.requests;
    jwks.mode = 'hang';
    advance(11 * MINUTE);

    for (let i = 0; i < 3; i++) {
      const { value, ms } = await timed(verifier.verify(await issuer.accessToken()));
      expect(value).toMatchObject({ tokenUse: 'access' });
      expect(ms).toBeLessThan(1000); // far from the 10 s fetch timeout: it never waited for the fetch
    }
    // The refresh was started once, and is still hanging behind the requests.
    await eventually(() => expect(jwks.requests - before).toBe(1));
  });

  it('makes a request with no usable key wait no longer than jwksTimeoutMs, then answers 503', async () => {
    const { verifier } = verifierWith({ jwksTimeoutMs: 300 });
    jwks.mode = 'hang';
    const { reason, ms } = await timed(verifier.verify(await issuer.accessToken()));
    expect(reason).toMatchObject({ code: 'JWKS_UNAVAILABLE', status: 503 });
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(3000);
    expect(verifier.keySetStatus()).toMatchObject({ lastErrorKind: 'timeout', unusable: true, keys: 0 });
  });

  it('makes an unknown kid wait at most jwksTimeoutMs, and the ones after it within the back-off not at all', async () => {
    const { verifier } = verifierWith({ jwksTimeoutMs: 300 });
    await verifier.verify(await issuer.accessToken());
    jwks.mode = 'hang';

    const first = await timed(verifier.verify(await madeUpKid()));
    expect(first.reason).toMatchObject({ code: 'JWKS_UNAVAILABLE', retryAfterSeconds: 30 });
    expect(first.ms).toBeLessThan(3000);
    const second = await timed(verifier.verify(await madeUpKid()));
    expect(second.reason).toMatchObject({ code: 'JWKS_UNAVAILABLE', retryAfterSeconds: 30 });
    expect(second.ms).toBeLessThan(first.ms);
    const known = await timed(verifier.verify(await issuer.accessToken()));
    expect(known.value).toMatchObject({ tokenUse: 'access' });
  });
});

describe('JWKS responses', () => {
  it('treats an empty or non-JSON key set as a failed fetch, and keeps the last known keys', async () => {
    for (const mode of ['empty', 'not-json'] as const) {
      const { verifier } = verifierWith();
      await verifier.verify(await issuer.accessToken());
      jwks.mode = mode;
      advance(11 * MINUTE);
      await expect(verifier.verify(await issuer.accessToken()), mode).resolves.toBeDefined();
      await eventually(() =>
        expect(verifier.keySetStatus()).toMatchObject({ lastErrorKind: 'malformed', stale: true, keys: 2 }),
      );
      jwks.mode = 'up';
    }
  });

  it('never puts the JWKS URL’s credentials or path, or the token, in a log line or an error', async () => {
    const url = new URL(jwks.url);
    url.username = 'svc';
    url.password = 's3cret-password';
    const { verifier, logs } = verifierWith({ jwksUri: url.href });
    const token = await issuer.accessToken();
    const error = (await verifier.verify(token).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'JWKS_UNAVAILABLE' });
    const text = [error.message, ...logs.lines.map((line) => line.message)].join('\n');
    expect(text).toContain(url.host);
    for (const secret of ['s3cret', 'svc', '/pool/', token.split('.')[1]!.slice(0, 16)]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('keySetStatus()', () => {
  it('reports plain data at each stage: before the first fetch, fresh, stale, past the bound, recovered', async () => {
    const { verifier } = verifierWith({ jwksMaxStalenessMs: 2 * HOUR });
    const initial = verifier.keySetStatus();
    expect(initial).toEqual({
      mode: 'jwks',
      keys: 0,
      lastSuccessAt: null,
      lastFailureAt: null,
      lastErrorKind: null,
      consecutiveFailures: 0,
      usableUntil: null,
      stale: false,
      unusable: false,
    });

    const start = Date.now();
    await verifier.verify(await issuer.accessToken());
    const fresh = verifier.keySetStatus();
    expect(fresh).toEqual({ ...initial, keys: 2, lastSuccessAt: start, usableUntil: start + 2 * HOUR });
    expect(JSON.parse(JSON.stringify(fresh))).toEqual(fresh);

    jwks.mode = 'error';
    advance(HOUR);
    await verifier.verify(await issuer.accessToken());
    await eventually(() => expect(verifier.keySetStatus().consecutiveFailures).toBe(1));
    expect(verifier.keySetStatus()).toEqual({
      ...fresh,
      lastFailureAt: Date.now(),
      lastErrorKind: 'http-status',
      consecutiveFailures: 1,
      stale: true,
    });

    advance(HOUR);
    expect(verifier.keySetStatus()).toMatchObject({ stale: false, unusable: true });

    jwks.mode = 'up';
    await verifier.verify(await issuer.accessToken());
    expect(verifier.keySetStatus()).toMatchObject({
      lastSuccessAt: Date.now(),
      lastErrorKind: 'http-status', // the last failure stays on record
      consecutiveFailures: 0,
      stale: false,
      unusable: false,
    });
  });

  it('is unusable when no key set was ever fetched and the last attempt failed', async () => {
    const { verifier } = verifierWith();
    jwks.mode = 'error';
    await expect(verifier.verify(await issuer.accessToken())).rejects.toMatchObject({
      code: 'JWKS_UNAVAILABLE',
      retryAfterSeconds: 30,
    });
    expect(verifier.keySetStatus()).toMatchObject({ keys: 0, consecutiveFailures: 1, unusable: true });
  });

  it('in secret mode, always has its one key', () => {
    const verifier = new JwtVerificationService(
      readJwtAuthOptions({ JWT_SECRET: 'a-test-secret-that-is-at-least-32-bytes-long' }).value!,
    );
    expect(verifier.keySetStatus()).toMatchObject({ mode: 'secret', keys: 1, stale: false, unusable: false });
  });
});
