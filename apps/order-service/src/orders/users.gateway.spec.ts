import { UpstreamError, type ServiceHttpClient } from '@helpline/http';
import { describe, expect, it, vi } from 'vitest';
import { UsersGateway } from './users.gateway.js';

/** A user-service that answers `GET /users/me` from a table of subs, counting the reads. */
function fakeUserService(initial: Record<string, 'active' | 'disabled' | undefined>) {
  const users = { ...initial };
  let current = '';
  const get = vi.fn(async () => {
    const status = users[current];
    if (!status) {
      throw new UpstreamError(502, 'UPSTREAM_ERROR', 'no user', {
        upstream: 'user-service',
        correlationId: 'c-1',
        upstreamStatus: 404,
      });
    }
    return { id: `id-${current}`, status };
  });
  return {
    users,
    get,
    as: (sub: string) => (current = sub),
    http: { get } as unknown as ServiceHttpClient,
  };
}

describe('UsersGateway (buyer cache)', () => {
  it('reads an active buyer once per TTL', async () => {
    vi.useFakeTimers();
    try {
      const svc = fakeUserService({ a: 'active' });
      const gateway = new UsersGateway(svc.http, { ttlMs: 1_000, maxEntries: 10 });
      svc.as('a');
      expect(await gateway.current('a')).toEqual({ id: 'id-a', status: 'active' });
      await gateway.current('a');
      expect(svc.get).toHaveBeenCalledTimes(1);
      svc.users.a = 'disabled';
      vi.advanceTimersByTime(1_001);
      await expect(gateway.current('a')).rejects.toMatchObject({ code: 'USER_DISABLED' });
      expect(svc.get).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never remembers a refusal', async () => {
    const svc = fakeUserService({});
    const gateway = new UsersGateway(svc.http, { ttlMs: 60_000, maxEntries: 10 });
    svc.as('b');
    await expect(gateway.current('b')).rejects.toMatchObject({ code: 'USER_NOT_PROVISIONED' });
    svc.users.b = 'active';
    expect(await gateway.current('b')).toEqual({ id: 'id-b', status: 'active' });
    expect(svc.get).toHaveBeenCalledTimes(2);
  });

  it('reads every time with a TTL of 0', async () => {
    const svc = fakeUserService({ c: 'active' });
    const gateway = new UsersGateway(svc.http, { ttlMs: 0, maxEntries: 10 });
    svc.as('c');
    await gateway.current('c');
    await gateway.current('c');
    expect(svc.get).toHaveBeenCalledTimes(2);
  });

  it('keeps at most maxEntries buyers, dropping the oldest', async () => {
    const svc = fakeUserService({ a: 'active', b: 'active', c: 'active' });
    const gateway = new UsersGateway(svc.http, { ttlMs: 60_000, maxEntries: 2 });
    for (const sub of ['a', 'b', 'c']) {
      svc.as(sub);
      await gateway.current(sub);
    }
    svc.as('b');
    await gateway.current('b'); // still remembered
    expect(svc.get).toHaveBeenCalledTimes(3);
    svc.as('a');
    await gateway.current('a'); // dropped to make room for c
    expect(svc.get).toHaveBeenCalledTimes(4);
  });
});
