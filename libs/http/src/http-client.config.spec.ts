import { describe, expect, it } from 'vitest';
import { HttpClientModule } from './http-client.module.js';
import {
  DEFAULT_CALL_BUDGET_MS,
  DEFAULT_PASS_THROUGH_STATUSES,
  DEFAULT_TIMEOUT_MS,
  resolveHttpClientOptions,
  validateHttpClientOptions,
} from './http-client.options.js';
import { encodePath } from './service-http-client.js';
import { readHttpClientTuning, readUpstreamUrls, upstreamEnvName } from './upstream-config.js';
import { parseRetryAfter, readUpstreamProblem } from './upstream-error.js';

describe('readUpstreamUrls', () => {
  it('reads <UPSTREAM>_URL for each upstream', () => {
    expect(upstreamEnvName('product-service')).toBe('PRODUCT_SERVICE_URL');
    const part = readUpstreamUrls(
      {
        NODE_ENV: 'production',
        USER_SERVICE_URL: 'http://users:3000',
        PRODUCT_SERVICE_URL: 'https://p.internal/api',
      },
      ['user-service', 'product-service'],
    );
    expect(part).toEqual({
      problems: [],
      value: { 'user-service': 'http://users:3000', 'product-service': 'https://p.internal/api' },
    });
  });

  it("falls back to the local services' addresses outside production only", () => {
    expect(readUpstreamUrls({}, ['product-service']).value).toEqual({
      'product-service': 'http://localhost:3002',
    });
    expect(readUpstreamUrls({ NODE_ENV: 'production' }, ['product-service']).problems).toEqual([
      expect.stringContaining('PRODUCT_SERVICE_URL is required'),
    ]);
  });

  it('names every bad variable at once, without echoing credentials', () => {
    const part = readUpstreamUrls(
      {
        NODE_ENV: 'production',
        USER_SERVICE_URL: 'http://admin:hunter2@users:3000',
        PRODUCT_SERVICE_URL: 'ftp://products',
      },
      ['user-service', 'product-service', 'order-service'],
    );
    expect(part.value).toBeUndefined();
    expect(part.problems).toHaveLength(3);
    expect(part.problems.join('\n')).not.toContain('hunter2');
    expect(part.problems[0]).toMatch(/^USER_SERVICE_URL: .*credentials/);
  });
});

describe('readHttpClientTuning', () => {
  it('leaves the library defaults alone when nothing is set', () => {
    expect(readHttpClientTuning({})).toEqual({ problems: [], value: { breaker: {} } });
  });

  it('reads the time limits, retries and breaker settings', () => {
    expect(
      readHttpClientTuning({
        UPSTREAM_TIMEOUT_MS: '300',
        UPSTREAM_CALL_BUDGET_MS: '700',
        UPSTREAM_RETRIES: '0',
        UPSTREAM_BREAKER_FAILURES: '3',
        UPSTREAM_BREAKER_HALF_OPEN_MS: '250',
      }).value,
    ).toEqual({
      timeoutMs: 300,
      callBudgetMs: 700,
      retry: { maxRetries: 0 },
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 250 },
    });
  });

  it('names every bad variable', () => {
    const { problems } = readHttpClientTuning({ UPSTREAM_TIMEOUT_MS: '0', UPSTREAM_RETRIES: 'many' });
    expect(problems.join('\n')).toMatch(/UPSTREAM_TIMEOUT_MS="0".*\n.*UPSTREAM_RETRIES="many"/);
  });
});

describe('HttpClientModule options', () => {
  it('fills in the defaults', () => {
    const resolved = resolveHttpClientOptions({ upstreams: { 'user-service': 'http://localhost:3000' } });
    expect(resolved).toMatchObject({
      timeoutMs: DEFAULT_TIMEOUT_MS,
      callBudgetMs: DEFAULT_CALL_BUDGET_MS,
      maxRedirects: 5,
      retry: { maxRetries: 2, initialDelayMs: 100, maxDelayMs: 1_000 },
      breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10_000 },
      passThroughStatuses: DEFAULT_PASS_THROUGH_STATUSES,
      retryAfterSeconds: 5,
    });
  });

  it('reports every problem, and forRoot refuses bad options at start-up', () => {
    const options = {
      upstreams: { User_Service: 'not a url' },
      timeoutMs: 0,
      retry: { maxRetries: -1 },
      passThroughStatuses: [409, 503],
    };
    expect(validateHttpClientOptions(options)).toEqual([
      expect.stringContaining('User_Service'),
      expect.stringContaining('not a URL'),
      'timeoutMs must be a whole number ≥ 1',
      'retry.maxRetries must be a whole number ≥ 0',
      'passThroughStatuses must be 4xx statuses, got 503',
    ]);
    expect(() => HttpClientModule.forRoot(options)).toThrow(/Invalid HttpClientModule options/);
    expect(() => HttpClientModule.forRoot({ upstreams: {} })).toThrow(/at least one upstream/);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delay-seconds and HTTP-dates, capped', () => {
    expect(parseRetryAfter('7', 3600, now)).toBe(7);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', 3600, now)).toBe(30);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', 3600, now)).toBe(0);
    expect(parseRetryAfter('999999', 3600, now)).toBe(3600);
  });
  it('ignores what it cannot read', () => {
    for (const value of [undefined, '', '-1', '1.5', 'soon', 42]) {
      expect(parseRetryAfter(value, 3600, now)).toBeUndefined();
    }
  });
});

describe('readUpstreamProblem', () => {
  it('keeps a plain code, a bounded detail and well-formed field errors only', () => {
    expect(
      readUpstreamProblem({
        code: 'INSUFFICIENT_STOCK',
        detail: 'x'.repeat(1_000),
        errors: [{ field: 'quantity', message: 'max 2' }, { field: 1 }, 'junk'],
      }),
    ).toEqual({
      code: 'INSUFFICIENT_STOCK',
      detail: 'x'.repeat(500),
      errors: [{ field: 'quantity', message: 'max 2' }],
    });
    expect(readUpstreamProblem({ code: '<script>' })).toEqual({});
    expect(readUpstreamProblem('<html>bad gateway</html>')).toEqual({});
  });
});

describe('encodePath', () => {
  it('encodes every interpolated value', () => {
    expect(encodePath`/users/${'a/b?c#d'}/orders/${42}`).toBe('/users/a%2Fb%3Fc%23d/orders/42');
  });
});
