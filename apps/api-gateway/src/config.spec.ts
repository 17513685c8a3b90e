import { ConfigError } from '@helpline/common';
import { describe, expect, it } from 'vitest';
import { readGatewayConfig } from './config.js';

const BASE = { DATABASE_URL: 'postgres://gw@127.0.0.1:5432/gateway' };

describe('readGatewayConfig', () => {
  it("runs on defaults locally: port 8080, AWS's 10 MB body limit, the console origin, no proxy trusted", () => {
    const config = readGatewayConfig(BASE);
    expect(config.service.port).toBe(8080);
    expect(config.service.bodyLimitBytes).toBe(10 * 1024 * 1024);
    expect(config.service.trustProxy).toBe(false);
    expect(config.edge).toMatchObject({
      upstreamTimeoutMs: 15_000,
      corsOrigins: ['http://localhost:5173'],
      publicRoutes: [],
    });
    expect(config.edge.redisUrl).toBeUndefined();
    expect(config.upstreams['order-service']).toBe('http://localhost:3001');
  });

  it('reads public routes, Redis, and a load balancer to trust', () => {
    const config = readGatewayConfig({
      ...BASE,
      GATEWAY_PUBLIC_ROUTES: 'GET /products, GET /products/*',
      REDIS_URL: 'redis://cache:6379',
      TRUST_PROXY: '10.0.0.0/24,10.0.1.0/24',
    });
    expect(config.edge.publicRoutes).toEqual([
      { method: 'GET', path: '/products' },
      { method: 'GET', path: '/products/*' },
    ]);
    expect(config.edge.redisUrl).toBe('redis://cache:6379');
    expect(config.service.trustProxy).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
    expect(readGatewayConfig({ ...BASE, TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' }).service.trustProxy).toEqual(
      ['10.0.0.0/8', '192.168.1.1'],
    );
    expect(readGatewayConfig(BASE).service.trustProxy).toBe(false);
  });

  it('refuses a hop count for TRUST_PROXY, saying what to give instead', () => {
    // Fastify trusts nobody given a count: accepting it would quietly put every caller behind a
    // load balancer on the one per-IP budget of the balancer's address.
    for (const hops of ['1', '2', '10']) {
      expect(() => readGatewayConfig({ ...BASE, TRUST_PROXY: hops })).toThrow(
        /TRUST_PROXY.*hop count.*addresses or CIDR ranges/,
      );
    }
  });

  it('names every bad variable at once, and never echoes a Redis password', () => {
    let error: unknown;
    try {
      readGatewayConfig({
        ...BASE,
        GATEWAY_PUBLIC_ROUTES: 'FETCH /products',
        REDIS_URL: 'http://user:s3cret@cache',
        GATEWAY_UPSTREAM_TIMEOUT_MS: '-1',
        TRUST_PROXY: 'maybe',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['GATEWAY_PUBLIC_ROUTES', 'REDIS_URL', 'GATEWAY_UPSTREAM_TIMEOUT_MS', 'TRUST_PROXY']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('s3cret');
  });

  it("wants the services' URLs spelled out in production", () => {
    expect(() => readGatewayConfig({ ...BASE, NODE_ENV: 'production' })).toThrowError(/USER_SERVICE_URL/);
  });
});
