import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_POOL } from '@helpline/cognito-pool';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, selectParts, startOrder, validateParts } from './plan.js';
import { buildSystem, demoCredentials, LOCAL_POSTGRES } from './system.js';

const CWD = '/repo';

describe('the system declaration', () => {
  const system = buildSystem({}, CWD);
  const byName = (name: string) => system.parts.find((p) => p.name === name)!;

  it('is valid, and starts the database and identity first, order-service after what it calls, then the gateway and the console', () => {
    expect(() => validateParts(system.parts)).not.toThrow();
    expect(startOrder(system.parts).map((p) => p.name)).toEqual([
      'postgres',
      'identity',
      'user-service',
      'product-service',
      'order-service',
      'api-gateway',
      'web',
    ]);
    expect(byName('order-service').dependsOn).toEqual(
      expect.arrayContaining(['postgres', 'identity', 'user-service', 'product-service']),
    );
  });

  it("gives order-service its client-credentials client of the pool and the other services' URLs", () => {
    expect(byName('order-service').env).toMatchObject({
      PORT: '3001',
      COGNITO_TOKEN_URL: 'http://localhost:9229/oauth2/token',
      SERVICE_CLIENT_ID: 'order-service',
      SERVICE_CLIENT_SECRET: 'order-service-secret',
      SERVICE_SCOPE: 'service/user.read service/product.write',
      USER_SERVICE_URL: 'http://localhost:3000',
      PRODUCT_SERVICE_URL: 'http://localhost:3002',
      DATABASE_URL: `postgres://order_service:order_service-local@127.0.0.1:${LOCAL_POSTGRES.port}/orders`,
    });
    expect(byName('product-service').env).toMatchObject({
      PORT: '3002',
      DATABASE_URL: `postgres://product_service:product_service-local@127.0.0.1:${LOCAL_POSTGRES.port}/products`,
      SEED_DEMO_DATA: 'true',
    });
  });

  it('gives user-service its own database and role on the embedded cluster, seeded when empty', () => {
    const users = byName('user-service');
    expect(users.dependsOn).toContain('postgres');
    expect(users.env).toMatchObject({
      DATABASE_URL: `postgres://user_service:user_service-local@127.0.0.1:${LOCAL_POSTGRES.port}/users`,
      SEED_DEMO_DATA: 'true',
      PORT: '3000',
      JWT_ALGORITHMS: 'RS256',
    });
    expect(byName('postgres').env).toMatchObject({
      POSTGRES_DATA_DIR: '.data/postgres',
      POSTGRES_PORT: String(LOCAL_POSTGRES.port),
      POSTGRES_DATABASES:
        'users:user_service:user_service-local,products:product_service:product_service-local,' +
        'orders:order_service:order_service-local,gateway:api_gateway:api_gateway-local',
    });
    expect(byName('postgres').readyOnMessage).toBe(true);
  });

  it('keeps an inherited DATABASE_URL from reaching the services', () => {
    const env = childEnv(
      byName('user-service'),
      { DATABASE_URL: 'postgres://shared/x' },
      system.notInherited,
    );
    expect(env.DATABASE_URL).toContain('/users');
  });

  it('points a service at its *_DB_URL instead, without demo data; the cluster only for the others', () => {
    const external = buildSystem({ USER_DB_URL: 'postgres://db.example/users' }, CWD);
    const users = external.parts.find((p) => p.name === 'user-service')!;
    expect(users.env.DATABASE_URL).toBe('postgres://db.example/users');
    expect(users.env.SEED_DEMO_DATA).toBeUndefined();
    expect(users.dependsOn).not.toContain('postgres');
    expect(external.parts.find((p) => p.name === 'postgres')!.env.POSTGRES_DATABASES).not.toContain('users:');

    const allExternal = buildSystem(
      {
        USER_DB_URL: 'postgres://db.example/users',
        PRODUCT_DB_URL: 'postgres://db.example/products',
        ORDER_DB_URL: 'postgres://db.example/orders',
        GATEWAY_DB_URL: 'postgres://db.example/gateway',
      },
      CWD,
    );
    expect(allExternal.parts.map((p) => p.name)).not.toContain('postgres');
  });

  it('puts the gateway on 8080 in front of the three services, with its own database', () => {
    const gateway = byName('api-gateway');
    expect(gateway.port).toBe(8080);
    expect(gateway.dependsOn).toEqual(
      expect.arrayContaining(['postgres', 'identity', 'user-service', 'product-service', 'order-service']),
    );
    expect(gateway.env).toMatchObject({
      PORT: '8080',
      USER_SERVICE_URL: 'http://localhost:3000',
      ORDER_SERVICE_URL: 'http://localhost:3001',
      PRODUCT_SERVICE_URL: 'http://localhost:3002',
      DATABASE_URL: `postgres://api_gateway:api_gateway-local@127.0.0.1:${LOCAL_POSTGRES.port}/gateway`,
      JWT_ISSUER: 'http://localhost:9229/ap-northeast-1_helplinelocal',
    });
    expect(gateway.readyUrl).toBe('http://127.0.0.1:8080/health/ready');
  });

  it('keeps data under HELPLINE_DATA_DIR when set', () => {
    const moved = buildSystem({ HELPLINE_DATA_DIR: '/var/helpline' }, CWD);
    expect(moved.parts.find((p) => p.name === 'postgres')!.env.POSTGRES_DATA_DIR).toBe(
      '/var/helpline/postgres',
    );
    expect(moved.parts.find((p) => p.name === 'identity')!.env.IDENTITY_DATA_DIR).toBe(
      '/var/helpline/identity',
    );
  });

  it('points the services and the banner at the local pool of infra/cognito/pool.json', () => {
    expect(byName('user-service').env).toMatchObject({
      JWT_JWKS_URI: 'http://localhost:9229/ap-northeast-1_helplinelocal/.well-known/jwks.json',
      JWT_ISSUER: 'http://localhost:9229/ap-northeast-1_helplinelocal',
      JWT_AUDIENCE: 'helpline-spa,helpline-api,order-service,user-provisioner',
    });
    expect(byName('identity')).toMatchObject({
      port: 9229,
      env: { PORT: '9229' },
      readyUrl: 'http://127.0.0.1:9229/health/ready',
      urls: {
        issuer: 'http://localhost:9229/ap-northeast-1_helplinelocal',
        token: 'http://localhost:9229/oauth2/token',
      },
    });
    expect(system.notes).toEqual([
      'Demo users (password Passw0rd!):',
      '  admin@example.com      group admin',
      '  manager@example.com    group manager',
      '  user@example.com       group user',
      'App clients:',
      '  helpline-spa           public, code + PKCE, callback http://localhost:5173/callback',
      '  helpline-api           secret helpline-api-secret (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH)',
      '  order-service          secret order-service-secret (client credentials)',
      '  user-provisioner       secret user-provisioner-secret (client credentials)',
      'A service token (client credentials):',
      '  curl -s -u order-service:order-service-secret -d grant_type=client_credentials http://localhost:9229/oauth2/token',
    ]);
  });

  it('lists each demo user’s password when they differ', () => {
    const notes = demoCredentials({
      ...LOCAL_POOL,
      demoPassword: undefined,
      demoUsers: [{ email: 'a@example.com', password: 'one', groups: [] }],
    });
    expect(notes.slice(0, 2)).toEqual(['Demo users:', '  a@example.com          no group, password one']);
  });

  it('brings the database along when only user-service is asked for', () => {
    expect(selectParts(system.parts, 'user-service').map((p) => p.name)).toEqual([
      'postgres',
      'identity',
      'user-service',
    ]);
  });
});

describe('leftovers of the PGlite version', () => {
  const root = mkdtempSync(join(tmpdir(), 'launcher-leftovers-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('names a .data/<service> PGlite directory in one line that says what to do', () => {
    expect(buildSystem({}, root).warnings).toEqual([]);
    mkdirSync(join(root, '.data/user-service'), { recursive: true });
    writeFileSync(join(root, '.data/user-service/PG_VERSION'), '17\n');
    const warnings = buildSystem({}, root).warnings ?? [];
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^\.data\/user-service holds a PGlite database .* rm -rf \.data\/user-service$/,
    );
    expect(warnings[0]).not.toContain('\n');
  });
});
