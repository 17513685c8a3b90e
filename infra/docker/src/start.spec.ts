/**
 * The images' entrypoint (infra/docker/start.mjs): on AWS, ECS injects RDS's secret field by field,
 * and the entrypoint joins them into the one DATABASE_URL the services read, then runs the app in
 * the same process. The gateway's Redis (ElastiCache) comes the same way, as REDIS_URL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const START = fileURLToPath(new URL('../start.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'helpline-start-'));
const main = join(dir, 'main.mjs');
writeFileSync(
  main,
  'process.stdout.write(JSON.stringify({ url: process.env.DATABASE_URL ?? null, ' +
    'password: process.env.DATABASE_PASSWORD ?? null, redis: process.env.REDIS_URL ?? null, ' +
    'redisPassword: process.env.REDIS_PASSWORD ?? null, pid: process.pid, argv: process.argv.length }));\n',
);

function start(env: Record<string, string>) {
  const result = spawnSync(process.execPath, [START, main], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  return { ...result, out: result.stdout ? JSON.parse(result.stdout) : undefined };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('start.mjs', () => {
  it("joins the secret's fields into DATABASE_URL, escaping what a URL cannot hold, and drops the password variable", () => {
    const { out, status } = start({
      DATABASE_HOST: 'users.abc.ap-northeast-1.rds.amazonaws.com',
      DATABASE_PORT: '5432',
      DATABASE_NAME: 'users',
      DATABASE_USER: 'user_service',
      DATABASE_PASSWORD: 'p@ss:w/rd#?%',
      DATABASE_SSLMODE: 'no-verify',
    });
    expect(status).toBe(0);
    const url = new URL(out.url);
    expect(url.hostname).toBe('users.abc.ap-northeast-1.rds.amazonaws.com');
    expect(url.pathname).toBe('/users');
    expect(decodeURIComponent(url.username)).toBe('user_service');
    expect(decodeURIComponent(url.password)).toBe('p@ss:w/rd#?%');
    expect(url.searchParams.get('sslmode')).toBe('no-verify');
    expect(out.password).toBeNull();
  });

  it('leaves a DATABASE_URL that is set alone, and runs an app without a database as it is', () => {
    expect(start({ DATABASE_URL: 'postgres://a:b@db/x', DATABASE_HOST: 'other' }).out.url).toBe(
      'postgres://a:b@db/x',
    );
    expect(start({}).out.url).toBeNull();
  });

  it('names the missing parts and does not start the app', () => {
    const { status, stderr, stdout } = start({ DATABASE_HOST: 'db', DATABASE_PASSWORD: 'secret-value' });
    expect(status).toBe(1);
    expect(stderr).toContain('DATABASE_NAME, DATABASE_USER');
    expect(stderr).not.toContain('secret-value');
    expect(stdout).toBe('');
  });

  it("joins ElastiCache's endpoint and AUTH token into a rediss:// REDIS_URL, and drops the token variable", () => {
    const { out, status } = start({
      REDIS_HOST: 'master.counters.abc.apne1.cache.amazonaws.com',
      REDIS_PORT: '6380',
      REDIS_TLS: 'true',
      REDIS_PASSWORD: 'p@ss:w/rd#?%',
    });
    expect(status).toBe(0);
    const url = new URL(out.redis);
    expect(url.protocol).toBe('rediss:');
    expect(url.hostname).toBe('master.counters.abc.apne1.cache.amazonaws.com');
    expect(url.port).toBe('6380');
    expect(decodeURIComponent(url.password)).toBe('p@ss:w/rd#?%');
    expect(out.redisPassword).toBeNull();
    // Without TLS or a token: a plain redis:// URL on the default port.
    expect(start({ REDIS_HOST: 'cache' }).out.redis).toBe('redis://cache:6379');
  });

  it('leaves a REDIS_URL that is set alone, and refuses a REDIS_TLS that is neither true nor false', () => {
    expect(start({ REDIS_URL: 'redis://a:6379', REDIS_HOST: 'other' }).out.redis).toBe('redis://a:6379');
    const { status, stderr, stdout } = start({
      REDIS_HOST: 'cache',
      REDIS_TLS: 'yes',
      REDIS_PASSWORD: 'tok-value',
    });
    expect(status).toBe(1);
    expect(stderr).toContain('REDIS_TLS must be "true" or "false"');
    expect(stderr).not.toContain('tok-value');
    expect(stdout).toBe('');
  });

  it('refuses a host or port a URL cannot hold, instead of connecting to localhost or the default port', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ REDIS_HOST: 'cache host', REDIS_PASSWORD: 'tok-value' }, 'REDIS_HOST is not a host name'],
      [{ REDIS_HOST: 'cache', REDIS_PORT: 'abc', REDIS_PASSWORD: 'tok-value' }, 'REDIS_PORT must be a port'],
      [
        { REDIS_HOST: 'cache', REDIS_PORT: '70000', REDIS_PASSWORD: 'tok-value' },
        'REDIS_PORT must be a port',
      ],
      [
        { DATABASE_HOST: 'db/x', DATABASE_NAME: 'n', DATABASE_USER: 'u', DATABASE_PASSWORD: 'tok-value' },
        'DATABASE_HOST is not a host name',
      ],
      [
        {
          DATABASE_HOST: 'db',
          DATABASE_PORT: '0',
          DATABASE_NAME: 'n',
          DATABASE_USER: 'u',
          DATABASE_PASSWORD: 'tok-value',
        },
        'DATABASE_PORT must be a port',
      ],
    ];
    for (const [env, message] of cases) {
      const { status, stderr, stdout } = start(env);
      expect(status, message).toBe(1);
      expect(stderr).toContain(message);
      expect(stderr).not.toContain('tok-value');
      expect(stdout).toBe('');
    }
    // An address and an IPv6 literal are host names too.
    expect(start({ REDIS_HOST: '10.0.0.7', REDIS_PORT: '6380' }).out.redis).toBe('redis://10.0.0.7:6380');
    expect(start({ REDIS_HOST: '[::1]' }).out.redis).toBe('redis://[::1]:6379');
  });
});
