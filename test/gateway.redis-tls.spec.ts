import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, createTestIssuer, type TestDatabase, type TestIssuer } from '@helpline/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePlans } from './support/gateway.js';
import {
  noteSkippedWithoutRedis,
  type RedisServer,
  redisServerInstalled,
  type RedisTlsFiles,
  startRedisServer,
} from './support/redis-server.js';
import { type ServiceProcess, startServiceProcess } from './support/service-process.js';
import { startStubUpstream, type StubUpstream } from './support/stub-upstream.js';

const BURST = 5;
const PLANS = {
  plans: {},
  keyless: {
    perUser: { throttle: { rateLimit: 0.01, burstLimit: BURST } },
    perIp: { throttle: { rateLimit: 100_000, burstLimit: 100_000 } },
  },
};
/** As ElastiCache takes it (and the CDK app generates it): letters and digits. */
const TOKEN = `Tk${randomUUID().replaceAll('-', '')}`;
const START = fileURLToPath(new URL('../infra/docker/start.mjs', import.meta.url));

/**
 * The gateway against Redis as the CDK app deploys it (ElastiCache: TLS only, Redis AUTH), with
 * the REDIS_URL the images' entrypoint (infra/docker/start.mjs) joins from what ECS injects: a
 * redis-server of this test's own with a certificate from a CA of its own, which the gateway
 * trusts through NODE_EXTRA_CA_CERTS (ElastiCache's is signed by a CA Node already trusts).
 */
noteSkippedWithoutRedis('gateway.redis-tls');

describe.skipIf(!redisServerInstalled)('the gateway on a TLS Redis with AUTH (ElastiCache)', () => {
  let dir: string;
  let tls: RedisTlsFiles;
  let redis: RedisServer;
  let issuer: TestIssuer;
  let database: TestDatabase;
  let upstream: StubUpstream;
  let plans: Awaited<ReturnType<typeof writePlans>>;
  let gateway: ServiceProcess;
  let misconfigured: ServiceProcess;
  let env: Record<string, string>;

  /** What the entrypoint makes REDIS_URL of ECS's variables, read back from the app it runs. */
  function entrypointRedisUrl(vars: Record<string, string>): string {
    const result = spawnSync(process.execPath, [START, join(dir, 'print-redis-url.mjs')], {
      env: { PATH: process.env.PATH, ...vars },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'helpline-redis-tls-'));
    writeFileSync(join(dir, 'print-redis-url.mjs'), 'process.stdout.write(process.env.REDIS_URL ?? "");\n');
    tls = makeCertificates(dir);
    [redis, issuer, database, upstream, plans] = await Promise.all([
      startRedisServer({ tls, password: TOKEN }),
      createTestIssuer(),
      createTestDatabase(),
      startStubUpstream('any-service'),
      writePlans(PLANS),
    ]);
    env = {
      ...issuer.env(),
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      USER_SERVICE_URL: upstream.url,
      ORDER_SERVICE_URL: upstream.url,
      PRODUCT_SERVICE_URL: upstream.url,
      GATEWAY_USAGE_PLANS_FILE: plans.file,
      NODE_EXTRA_CA_CERTS: tls.ca,
    };
    const ecs = { REDIS_HOST: 'localhost', REDIS_PORT: String(redis.port), REDIS_TLS: 'true' };
    // Started together: both run the migrations against one empty database.
    [gateway, misconfigured] = await Promise.all([
      startServiceProcess('apps/api-gateway/src/main.ts', {
        ...env,
        REDIS_URL: entrypointRedisUrl({ ...ecs, REDIS_PASSWORD: TOKEN }),
      }),
      startServiceProcess('apps/api-gateway/src/main.ts', {
        ...env,
        REDIS_URL: entrypointRedisUrl({ ...ecs, REDIS_PASSWORD: `${TOKEN}x` }),
      }),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([gateway?.stop(), misconfigured?.stop()]);
    await Promise.all([redis?.stop(), issuer?.close(), database?.drop(), upstream?.close(), plans?.remove()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds a rediss:// URL with the token from the entrypoint', () => {
    const url = new URL(
      entrypointRedisUrl({
        REDIS_HOST: 'localhost',
        REDIS_PORT: '6380',
        REDIS_TLS: 'true',
        REDIS_PASSWORD: TOKEN,
      }),
    );
    expect([url.protocol, url.hostname, url.port, url.password]).toEqual([
      'rediss:',
      'localhost',
      '6380',
      TOKEN,
    ]);
  });

  it('keeps its counters there: a caller gets the burst, and the keys are in that Redis', async () => {
    const ready = await fetch(`${gateway.base}/health/ready`);
    expect(await ready.json()).toMatchObject({
      details: { rateLimits: { status: 'up', store: 'redis', degraded: false } },
    });
    const sub = randomUUID();
    const token = await issuer.accessToken({ sub });
    const statuses: number[] = [];
    for (let i = 0; i < BURST + 3; i++) {
      const res = await fetch(`${gateway.base}/users/me`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(BURST).fill(200), 429, 429, 429]);

    const client = new Redis(redis.port, '127.0.0.1', {
      password: TOKEN,
      tls: { ca: tls.caPem, servername: 'localhost' },
      maxRetriesPerRequest: 1,
    });
    try {
      const keys = await client.keys('helpline:gw:*');
      expect(
        keys.some((key) => key.includes(sub)),
        keys.join(', '),
      ).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('keeps serving on its insurance limiter when the token is wrong, and says so', async () => {
    const token = await issuer.accessToken({ sub: randomUUID() });
    const res = await fetch(`${misconfigured.base}/users/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    const ready = await fetch(`${misconfigured.base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      details: { rateLimits: { status: 'up', store: 'redis', degraded: true } },
    });
  });

  it('never logs the token, right or wrong', () => {
    const output = gateway.output() + misconfigured.output();
    expect(output).toContain('"msg":"access"');
    expect(output).not.toContain(TOKEN);
  });
});

/** A CA, and a certificate for localhost signed by it, with openssl (Debian's, on every machine here). */
function makeCertificates(dir: string): RedisTlsFiles {
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=helpline test CA',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    path('redis.key'),
    '-out',
    path('redis.csr'),
  );
  writeFileSync(path('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    path('redis.csr'),
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    path('san.ext'),
    '-out',
    path('redis.pem'),
  );
  return {
    cert: path('redis.pem'),
    key: path('redis.key'),
    ca: path('ca.pem'),
    caPem: readFileSync(path('ca.pem'), 'utf8'),
  };
}
