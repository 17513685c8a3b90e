import { freePort } from '@helpline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CallerApp, ScriptedUpstream, startCallerApp, TokenEndpoint } from './upstream.fixture.js';
import { UpstreamError } from './upstream-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CALLER_TOKEN = 'Bearer caller-token-0123456789';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The problem the calling app answered with, checked for what every upstream problem has. */
function expectProblem(
  res: { status: number; headers: Headers; body: Record<string, unknown> },
  status: number,
  code: string,
  upstream = 'catalog',
) {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({
    status,
    code,
    upstream,
    correlationId: res.headers.get('x-correlation-id'),
  });
}

describe('ServiceHttpClient, from a real Nest app to real upstream servers', () => {
  let upstream: ScriptedUpstream;
  let keepAliveUpstream: ScriptedUpstream;
  let tokens: TokenEndpoint;
  let caller: CallerApp;
  let refusedUrl: string;

  beforeAll(async () => {
    [upstream, keepAliveUpstream, tokens] = await Promise.all([
      ScriptedUpstream.start(),
      ScriptedUpstream.start(),
      TokenEndpoint.start(),
    ]);
    refusedUrl = `http://127.0.0.1:${await freePort()}`;
    caller = await startCallerApp({
      upstreams: {
        catalog: upstream.url,
        prefixed: `${upstream.url}/v1/`,
        refused: refusedUrl,
        'keep-alive': keepAliveUpstream.url,
      },
      timeoutMs: 300,
      callBudgetMs: 700,
      retry: { maxRetries: 2, initialDelayMs: 5, maxDelayMs: 20 },
      // This app checks mappings and retries; the breaker has its own app below.
      breaker: { consecutiveFailures: 1_000 },
      m2m: tokens.m2mOptions,
    });
  });

  afterAll(async () => {
    await caller?.close();
    await Promise.all([upstream?.close(), keepAliveUpstream?.close(), tokens?.close()]);
  });

  beforeEach(() => upstream.reset());

  describe('credentials and correlation id', () => {
    it("passes the caller's Authorization and correlation id on to the upstream", async () => {
      const tokensBefore = tokens.requests;
      const res = await caller.call('GET', '/call/catalog/items?colour=red', {
        authorization: CALLER_TOKEN,
        'x-correlation-id': 'corr-passthrough-1',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, path: '/items' });
      const [hit] = upstream.hits('/items');
      expect(hit?.url).toBe('/items?colour=red');
      expect(hit?.headers.authorization).toBe(CALLER_TOKEN);
      expect(hit?.headers['x-correlation-id']).toBe('corr-passthrough-1');
      expect(tokens.requests).toBe(tokensBefore);
    });

    it('forwards the correlation id the calling app generated when its caller sent none', async () => {
      const res = await caller.call('GET', '/call/catalog/items', { authorization: CALLER_TOKEN });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-correlation-id')).toMatch(UUID);
      expect(upstream.hits('/items')[0]?.headers['x-correlation-id']).toBe(
        res.headers.get('x-correlation-id'),
      );
    });

    it('gives background work the service token and a fresh correlation id per call', async () => {
      await caller.client.get('catalog', '/jobs');
      await caller.client.get('catalog', '/jobs');
      const hits = upstream.hits('/jobs');
      expect(hits).toHaveLength(2);
      expect(hits.map((h) => h.headers.authorization)).toEqual([
        expect.stringMatching(/^Bearer m2m-token-\d+$/),
        hits[0]?.headers.authorization, // cached, not fetched again
      ]);
      const ids = hits.map((h) => h.headers['x-correlation-id']);
      expect(ids[0]).toMatch(UUID);
      expect(ids[1]).toMatch(UUID);
      expect(ids[0]).not.toBe(ids[1]);
    });

    it("uses the service's own token when a call asks for it, even inside a request", async () => {
      const res = await caller.call('GET', '/call/catalog/stock', {
        authorization: CALLER_TOKEN,
        'x-test-auth': 'service',
      });
      expect(res.status).toBe(200);
      expect(upstream.hits('/stock')[0]?.headers.authorization).toMatch(/^Bearer m2m-token-\d+$/);
    });

    it("refuses auth 'caller' when the request has no token, without calling the upstream", async () => {
      const res = await caller.call('GET', '/call/catalog/mine', { 'x-test-auth': 'caller' });
      expectProblem(res, 401, 'TOKEN_MISSING');
      expect(upstream.hits('/mine')).toHaveLength(0);
    });

    it('sends a JSON body as application/json, and no content type at all without a body', async () => {
      await caller.client.post('catalog', '/with-body', { a: 1 });
      await caller.client.post('catalog', '/without-body');
      expect(upstream.hits('/with-body')[0]?.headers['content-type']).toBe('application/json');
      // axios would otherwise claim a form, which a service taking JSON only refuses with 415.
      expect(upstream.hits('/without-body')[0]?.headers['content-type']).toBeUndefined();
    });

    it("joins paths under the upstream's base path", async () => {
      const res = await caller.call('GET', '/call/prefixed/items', { authorization: CALLER_TOKEN });
      expect(res.status).toBe(200);
      expect(upstream.requests.map((r) => r.url)).toEqual(['/v1/items']);
    });

    it('refetches the service token once and retries once when the upstream refuses it (401)', async () => {
      const tokensBefore = tokens.requests;
      await caller.client.get('catalog', '/warm-up'); // a cached token, as after hours of running
      upstream.script(
        '/rotated',
        { status: 401, body: { code: 'TOKEN_INVALID' } },
        { status: 200, body: { ok: 1 } },
      );
      await expect(caller.client.get('catalog', '/rotated')).resolves.toEqual({ ok: 1 });
      const [first, second] = upstream.hits('/rotated').map((h) => h.headers.authorization);
      expect(upstream.hits('/rotated')).toHaveLength(2);
      expect(second).not.toBe(first);
      expect(second).toBe(`Bearer m2m-token-${tokens.requests}`);
      expect(tokens.requests).toBeGreaterThan(tokensBefore);
    });

    it('gives up after that one retry: 403 UPSTREAM_FORBIDDEN', async () => {
      upstream.script('/never', { status: 401, body: { code: 'TOKEN_INVALID' } });
      const error = await caller.client.get('catalog', '/never').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ status: 403, code: 'UPSTREAM_FORBIDDEN', upstreamStatus: 401 });
      expect((error as UpstreamError).correlationId).toMatch(UUID);
      expect(upstream.hits('/never')).toHaveLength(2);
    });

    it("never refetches for a 401 to the caller's own token", async () => {
      upstream.script('/expired', { status: 401, body: { code: 'TOKEN_EXPIRED' } });
      const res = await caller.call('GET', '/call/catalog/expired', { authorization: CALLER_TOKEN });
      expectProblem(res, 403, 'UPSTREAM_FORBIDDEN');
      expect(res.body.upstreamCode).toBe('TOKEN_EXPIRED');
      expect(upstream.hits('/expired')).toHaveLength(1);
    });
  });

  describe('errors, as problems of the calling app', () => {
    const get = (path: string) => caller.call('GET', `/call/catalog${path}`, { authorization: CALLER_TOKEN });

    it("400 → 400 UPSTREAM_BAD_REQUEST, with the upstream's code and field errors", async () => {
      upstream.script('/bad', {
        status: 400,
        body: {
          code: 'VALIDATION_FAILED',
          detail: 'Invalid request: name: too short',
          errors: [{ field: 'name', message: 'too short' }],
        },
      });
      const res = await get('/bad');
      expectProblem(res, 400, 'UPSTREAM_BAD_REQUEST');
      expect(res.body).toMatchObject({
        detail: 'catalog refused the request: Invalid request: name: too short',
        upstreamCode: 'VALIDATION_FAILED',
        errors: [{ field: 'name', message: 'too short' }],
      });
    });

    it.each([401, 403])('%i → 403 UPSTREAM_FORBIDDEN', async (status) => {
      upstream.script('/denied', { status, body: { code: 'INSUFFICIENT_SCOPE' } });
      const res = await get('/denied');
      expectProblem(res, 403, 'UPSTREAM_FORBIDDEN');
      expect(res.body.upstreamCode).toBe('INSUFFICIENT_SCOPE');
    });

    it('404 → 404 UPSTREAM_NOT_FOUND, not retried', async () => {
      upstream.script('/user-42', {
        status: 404,
        body: { code: 'USER_NOT_FOUND', detail: 'user 42 does not exist' },
      });
      const res = await get('/user-42');
      expectProblem(res, 404, 'UPSTREAM_NOT_FOUND');
      expect(res.body).toMatchObject({
        upstreamCode: 'USER_NOT_FOUND',
        detail: 'catalog: user 42 does not exist',
      });
      expect(upstream.hits('/user-42')).toHaveLength(1);
    });

    it("409 and 422 pass through with the upstream's status, code, detail and errors", async () => {
      upstream.script('/reserve', {
        status: 409,
        body: {
          code: 'INSUFFICIENT_STOCK',
          detail: 'only 2 left',
          errors: [{ field: 'quantity', message: 'max 2' }],
        },
      });
      const conflict = await caller.call(
        'POST',
        '/call/catalog/reserve',
        { authorization: CALLER_TOKEN },
        { quantity: 3 },
      );
      expectProblem(conflict, 409, 'INSUFFICIENT_STOCK');
      expect(conflict.body).toMatchObject({
        detail: 'only 2 left',
        upstreamCode: 'INSUFFICIENT_STOCK',
        errors: [{ field: 'quantity', message: 'max 2' }],
      });

      upstream.script('/pay', { status: 422, body: { detail: 'no code here' } });
      const unprocessable = await caller.call(
        'POST',
        '/call/catalog/pay',
        { authorization: CALLER_TOKEN },
        {},
      );
      expectProblem(unprocessable, 422, 'UPSTREAM_REJECTED');
      expect(unprocessable.body.detail).toBe('no code here');
    });

    it('a status the call does not pass through is a 503 like any other', async () => {
      upstream.script('/reserve', { status: 409, body: { code: 'INSUFFICIENT_STOCK' } });
      const res = await caller.call('GET', '/passthrough-none/catalog/reserve', {
        authorization: CALLER_TOKEN,
      });
      expectProblem(res, 503, 'UPSTREAM_UNAVAILABLE');
      expect(res.body.detail).toBe('catalog returned error: 409');
    });

    it.each([500, 502, 503])('%i → 503 UPSTREAM_UNAVAILABLE with Retry-After', async (status) => {
      upstream.script('/broken', { status, body: { code: 'INTERNAL_ERROR', detail: 'stack trace here' } });
      const res = await get('/broken');
      expectProblem(res, 503, 'UPSTREAM_UNAVAILABLE');
      expect(res.body.detail).toBe(`catalog returned error: ${status}`);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.body.retryAfterSeconds).toBe(5);
      expect(JSON.stringify(res.body)).not.toContain('stack trace here');
    });

    it("honours the upstream's own Retry-After (and then does not retry sooner)", async () => {
      upstream.script('/busy', { status: 503, headers: { 'retry-after': '17' } });
      const res = await get('/busy');
      expectProblem(res, 503, 'UPSTREAM_UNAVAILABLE');
      expect(res.headers.get('retry-after')).toBe('17');
      expect(upstream.hits('/busy')).toHaveLength(1);

      upstream.script('/limited', { status: 429, headers: { 'retry-after': '3' } });
      const limited = await get('/limited');
      expectProblem(limited, 503, 'UPSTREAM_UNAVAILABLE');
      expect(limited.headers.get('retry-after')).toBe('3');
    });

    it('a refused connection → 503 UPSTREAM_UNAVAILABLE "… is unavailable"', async () => {
      const res = await caller.call('GET', '/call/refused/items', { authorization: CALLER_TOKEN });
      expectProblem(res, 503, 'UPSTREAM_UNAVAILABLE', 'refused');
      expect(res.body.detail).toBe('refused is unavailable');
      expect(res.headers.get('retry-after')).toBe('5');
    });

    it('a reset connection → 503 UPSTREAM_UNAVAILABLE', async () => {
      upstream.script('/reset', 'reset');
      const res = await caller.call('POST', '/call/catalog/reset', { authorization: CALLER_TOKEN }, {});
      expectProblem(res, 503, 'UPSTREAM_UNAVAILABLE');
      expect(res.body.detail).toBe('catalog is unavailable');
      expect(upstream.hits('/reset')).toHaveLength(1);
    });

    it('a server that accepts and never answers → 503 UPSTREAM_TIMEOUT after the configured 300 ms', async () => {
      upstream.script('/slow', 'hang');
      const started = performance.now();
      const res = await caller.call('POST', '/call/catalog/slow', { authorization: CALLER_TOKEN }, {});
      const elapsed = performance.now() - started;
      expectProblem(res, 503, 'UPSTREAM_TIMEOUT');
      expect(res.body.detail).toBe('catalog did not answer within 300 ms');
      expect(res.headers.get('retry-after')).toBe('5');
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(650);
      expect(upstream.hits('/slow')).toHaveLength(1);
    });

    it('an answer that never ends → 503 UPSTREAM_TIMEOUT: the time limit covers the whole attempt', async () => {
      upstream.script('/drip', 'trickle');
      const started = performance.now();
      const res = await caller.call('POST', '/call/catalog/drip', { authorization: CALLER_TOKEN }, {});
      const elapsed = performance.now() - started;
      expectProblem(res, 503, 'UPSTREAM_TIMEOUT');
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(650);
    });
  });

  describe('retries', () => {
    it('retries an idempotent GET: 503, 503, 200 → one success, 3 upstream hits', async () => {
      upstream.script(
        '/flaky',
        { status: 503 },
        { status: 503 },
        { status: 200, body: { ok: 'third time' } },
      );
      const res = await caller.call('GET', '/call/catalog/flaky', { authorization: CALLER_TOKEN });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: 'third time' });
      expect(upstream.hits('/flaky')).toHaveLength(3);
    });

    it('retries a GET after a reset connection', async () => {
      upstream.script('/wobbly', 'reset', { status: 200, body: { ok: true } });
      const res = await caller.call('GET', '/call/catalog/wobbly', { authorization: CALLER_TOKEN });
      expect(res.status).toBe(200);
      expect(upstream.hits('/wobbly')).toHaveLength(2);
    });

    it('never retries a plain POST: 503 → 1 hit', async () => {
      upstream.script('/orders', { status: 503 }, { status: 201, body: { id: 1 } });
      const res = await caller.call(
        'POST',
        '/call/catalog/orders',
        { authorization: CALLER_TOKEN },
        { item: 1 },
      );
      expectProblem(res, 503, 'UPSTREAM_UNAVAILABLE');
      expect(upstream.hits('/orders')).toHaveLength(1);
    });

    it('retries a POST that carries an Idempotency-Key, with the same key each time', async () => {
      upstream.script('/payments', { status: 502 }, { status: 504 }, { status: 201, body: { id: 'p1' } });
      const res = await caller.call(
        'POST',
        '/call/catalog/payments',
        { authorization: CALLER_TOKEN, 'x-test-idempotency-key': 'key-123' },
        { amount: 5 },
      );
      expect(res.status).toBe(201);
      const hits = upstream.hits('/payments');
      expect(hits).toHaveLength(3);
      expect(hits.map((h) => h.headers['idempotency-key'])).toEqual(['key-123', 'key-123', 'key-123']);
      expect(hits.map((h) => h.body)).toEqual(Array(3).fill('{"amount":5}'));
    });

    it('does not retry a 500 (a bug upstream will not go away in 20 ms)', async () => {
      upstream.script('/bug', { status: 500 }, { status: 200 });
      expect((await caller.call('GET', '/call/catalog/bug', { authorization: CALLER_TOKEN })).status).toBe(
        503,
      );
      expect(upstream.hits('/bug')).toHaveLength(1);
    });

    it('bounds the whole retry sequence by the call budget (700 ms), then 503 UPSTREAM_TIMEOUT', async () => {
      upstream.script('/stuck', 'hang');
      const started = performance.now();
      const res = await caller.call('GET', '/call/catalog/stuck', { authorization: CALLER_TOKEN });
      const elapsed = performance.now() - started;
      expectProblem(res, 503, 'UPSTREAM_TIMEOUT');
      expect(res.body.detail).toBe('catalog did not answer within 700 ms');
      // Two attempts of 300 ms and backoff, then the budget ends the third.
      expect(elapsed).toBeGreaterThanOrEqual(690);
      expect(elapsed).toBeLessThan(1_100);
      expect(upstream.hits('/stuck')).toHaveLength(3);
    });
  });

  describe('keep-alive', () => {
    it('makes 40 sequential calls over one or two TCP connections', async () => {
      for (let i = 0; i < 40; i++) {
        const res = await caller.call('GET', `/call/keep-alive/n${i}`, { authorization: CALLER_TOKEN });
        expect(res.status).toBe(200);
      }
      expect(keepAliveUpstream.requests).toHaveLength(40);
      expect(keepAliveUpstream.connections).toBeGreaterThanOrEqual(1);
      expect(keepAliveUpstream.connections).toBeLessThanOrEqual(2);
    });
  });

  describe('logs and metrics', () => {
    it('logs one line per failed call: upstream, method, path without query, status, duration, attempts', async () => {
      upstream.script('/down', { status: 503 });
      await caller.call('GET', '/call/catalog/down?email=someone%40example.com', {
        authorization: CALLER_TOKEN,
        'x-correlation-id': 'corr-log-1',
      });
      const failed = caller.logs.lines.filter(
        (l) =>
          l.correlationId === 'corr-log-1' &&
          l.context === 'ServiceHttpClient' &&
          String(l.msg).includes(' failed: '),
      );
      // (Retries are logged at debug level, and ProblemDetailsFilter logs the request's 503.)
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({
        level: 40,
        context: 'ServiceHttpClient',
        upstream: 'catalog',
        method: 'GET',
        path: '/down',
        status: 503,
        code: 'UPSTREAM_UNAVAILABLE',
        attempts: 3,
        durationMs: expect.any(Number),
      });
      expect(JSON.stringify(failed[0])).not.toContain('example.com');
    });

    it('puts the fresh correlation id of background work on its log line and its error', async () => {
      upstream.script('/nightly', { status: 404 });
      const error = (await caller.client
        .get('catalog', '/nightly?email=night%40example.com')
        .catch((e: unknown) => e)) as UpstreamError;
      expect(error.code).toBe('UPSTREAM_NOT_FOUND');
      expect(error.correlationId).toMatch(UUID);
      expect(upstream.hits('/nightly')[0]?.headers['x-correlation-id']).toBe(error.correlationId);
      const line = caller.logs.lines.find((l) => l.correlationId === error.correlationId);
      expect(line).toMatchObject({
        upstream: 'catalog',
        path: '/nightly',
        status: 404,
        code: 'UPSTREAM_NOT_FOUND',
      });
      expect(JSON.stringify(line)).not.toContain('example.com');
    });

    it('never logs a token', () => {
      const text = caller.logs.text();
      expect(text).toContain('ServiceHttpClient'); // the logs above are there
      expect(text).not.toContain('caller-token-0123456789');
      expect(text).not.toContain('m2m-token-');
      expect(text).not.toContain(tokens.clientSecret);
    });

    it('exports upstream metrics in the application registry', async () => {
      const text = await (await fetch(`${caller.base}/metrics`)).text();
      expect(text).toMatch(/upstream_requests_total\{upstream="catalog",method="GET",outcome="200"\} \d+/);
      expect(text).toMatch(
        /upstream_requests_total\{upstream="refused",method="GET",outcome="unavailable"\} \d+/,
      );
      expect(text).toMatch(/upstream_retries_total\{upstream="catalog"\} \d+/);
      expect(text).toContain('upstream_circuit_state{upstream="catalog"} 0');
    });
  });
});

describe('ServiceHttpClient circuit breaker', () => {
  let upstream: ScriptedUpstream;
  let caller: CallerApp;

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
    caller = await startCallerApp({
      upstreams: {
        fragile: upstream.url,
        answering: upstream.url,
        trial: upstream.url,
        nobody: upstream.url,
      },
      timeoutMs: 300,
      retry: { maxRetries: 0 },
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 },
      // No m2m: background calls have no credentials.
    });
  });

  afterAll(async () => {
    await caller?.close();
    await upstream?.close();
  });

  const get = (name: string, path: string) =>
    caller.call('GET', `/call/${name}${path}`, { authorization: CALLER_TOKEN });

  it('opens after 3 consecutive failures, fails fast without reaching the upstream, closes after the half-open delay', async () => {
    upstream.script('/items', { status: 500 });
    for (let i = 0; i < 3; i++)
      expectProblem(await get('fragile', '/items'), 503, 'UPSTREAM_UNAVAILABLE', 'fragile');
    expect(caller.client.circuitState('fragile')).toBe('open');

    const started = performance.now();
    const fast = await get('fragile', '/items');
    expect(performance.now() - started).toBeLessThan(100);
    expectProblem(fast, 503, 'CIRCUIT_OPEN', 'fragile');
    expect(fast.headers.get('retry-after')).toBe('1');
    expect(upstream.hits('/items')).toHaveLength(3);

    upstream.script('/items', { status: 200, body: { ok: true } });
    expectProblem(await get('fragile', '/items'), 503, 'CIRCUIT_OPEN', 'fragile');
    await sleep(350);
    const recovered = await get('fragile', '/items');
    expect(recovered.status).toBe(200);
    expect(caller.client.circuitState('fragile')).toBe('closed');
    expect(upstream.hits('/items')).toHaveLength(4);
  });

  it('opens again when the half-open trial call fails', async () => {
    upstream.script('/trial', { status: 502 });
    for (let i = 0; i < 3; i++) await get('trial', '/trial');
    expect(caller.client.circuitState('trial')).toBe('open');
    await sleep(350);
    expectProblem(await get('trial', '/trial'), 503, 'UPSTREAM_UNAVAILABLE', 'trial');
    expect(caller.client.circuitState('trial')).toBe('open');
    expectProblem(await get('trial', '/trial'), 503, 'CIRCUIT_OPEN', 'trial');
    expect(upstream.hits('/trial')).toHaveLength(4);
  });

  it('counts a 4xx answer as a working upstream, not a failure', async () => {
    upstream.script(
      '/mixed',
      { status: 503 },
      { status: 503 },
      { status: 404 },
      { status: 503 },
      { status: 503 },
    );
    for (let i = 0; i < 5; i++) await get('answering', '/mixed');
    expect(caller.client.circuitState('answering')).toBe('closed');
    expect(upstream.hits('/mixed')).toHaveLength(5);
  });

  it('fails clearly, without calling, when background work has no service token source', async () => {
    const error = await caller.client.get('nobody', '/anything').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, code: 'UPSTREAM_AUTH_UNAVAILABLE', upstream: 'nobody' });
    expect((error as Error).message).toContain('no M2M token source');
    expect(upstream.hits('/anything')).toHaveLength(0);
  });

  it('refuses an unknown upstream and a path that could leave the upstream', async () => {
    await expect(caller.client.get('nowhere', '/x')).rejects.toThrow('Unknown upstream "nowhere"');
    for (const path of ['//evil.example/x', 'relative', '/a/../admin', '/a/%2e%2e/admin', '/a#frag']) {
      await expect(caller.client.get('fragile', path, { auth: 'caller' })).rejects.toThrow(/upstream path/);
    }
  });
});
