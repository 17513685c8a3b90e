import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUserService, type UserServiceHarness } from './test-support/user-service.harness.js';

/** What /health/ready and /metrics say about the service's dependencies. */
describe('user-service health and metrics', () => {
  let svc: UserServiceHarness;

  beforeAll(async () => {
    svc = await startUserService();
    // One verified token, so that the signing keys have been fetched.
    await svc.call('GET', '/users/me', await svc.issuer.accessToken());
  });

  afterAll(async () => {
    await svc?.close();
  });

  it('is ready with its database and its token signing keys, and says so without internals', async () => {
    const res = await svc.call('GET', '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.info).toEqual({
      database: { status: 'up' },
      signingKeys: { status: 'up', stale: false },
    });
  });

  it("exports the signing keys' state as metrics", async () => {
    const text = await (await fetch(`${svc.base}/metrics`)).text();
    expect(text).toMatch(/^jwks_keys_usable 1$/m);
    expect(text).toMatch(/^jwks_keys_stale 0$/m);
    expect(text).toMatch(/^jwks_refresh_failures 0$/m);
    expect(Number(/^jwks_keys (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(Number(/^jwks_last_success_timestamp_seconds (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
  });
});
