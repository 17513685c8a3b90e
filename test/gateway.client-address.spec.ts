import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, startGatewayUnderTest } from './support/gateway.js';

/**
 * Whose address a caller without a token or key is limited by (keyless.perIp), as the gateway's
 * README says: by default the connection's, so that no header a client sends buys it a budget of
 * its own; with `TRUST_PROXY` naming the proxy in front (the CDK app names the ALB's subnets) the
 * address that proxy appended to `X-Forwarded-For`, so that callers behind it are not all one.
 */
const BURST = 3;
const PLANS = {
  plans: {},
  keyless: {
    perUser: { throttle: { rateLimit: 1000, burstLimit: 1000 } },
    perIp: { throttle: { rateLimit: 0.01, burstLimit: BURST } },
  },
};
const PUBLIC = { GATEWAY_PUBLIC_ROUTES: 'GET /products' };

async function statuses(t: GatewayUnderTest, forwardedFor: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const value of forwardedFor) {
    const res = await t.fetch('/products', { headers: { 'x-forwarded-for': value } });
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

describe('the per-IP budget of callers without a token or key', () => {
  let direct: GatewayUnderTest;
  let behindProxy: GatewayUnderTest;

  beforeAll(async () => {
    [direct, behindProxy] = await Promise.all([
      startGatewayUnderTest({ plans: PLANS, env: PUBLIC }),
      // The test's requests come from 127.0.0.1: here, that is the load balancer.
      startGatewayUnderTest({ plans: PLANS, env: { ...PUBLIC, TRUST_PROXY: '127.0.0.1/32' } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([direct?.close(), behindProxy?.close()]);
  });

  it("by default is the connection's: a new X-Forwarded-For on every request buys nothing", async () => {
    const sent = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'];
    expect(await statuses(direct, sent)).toEqual([200, 200, 200, 429, 429]);
    // What the service is told: the caller's claim, and the address the gateway saw.
    const seen = direct.upstreams.products.seen.filter((r) => r.url === '/products');
    expect(seen.map((r) => r.headers['x-forwarded-for'])).toEqual(
      sent.slice(0, BURST).map((address) => `${address}, 127.0.0.1`),
    );
  });

  it('with TRUST_PROXY naming the proxy, is the address it appended: one budget per caller', async () => {
    const a = '203.0.113.7';
    const b = '203.0.113.8';
    expect(await statuses(behindProxy, [a, a, a, a])).toEqual([200, 200, 200, 429]);
    // Another caller behind the same proxy has a budget of its own.
    expect(await statuses(behindProxy, [b])).toEqual([200]);
    // What a client writes before the proxy's entry is not believed: A is still A.
    expect(await statuses(behindProxy, [`198.51.100.9, ${a}`, `${b}, ${a}`])).toEqual([429, 429]);
    // The service is told the chain, ending with the proxy the gateway was called from.
    const seen = behindProxy.upstreams.products.seen.filter((r) => r.url === '/products');
    expect(seen.map((r) => r.headers['x-forwarded-for'])).toEqual([a, a, a, b].map((x) => `${x}, 127.0.0.1`));
  });
});
