import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { type RunningIdentityServer, secretHash, startIdentityServer } from '@helpline/identity';
import { createTestDatabase, freePort, type TestDatabase } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../apps/product-service/src/products/products.seed.js';
import { type ServiceProcess, startServiceProcess } from './support/service-process.js';

const POOL_ID = 'ap-northeast-1_helplinelocal';
const API_CLIENT = { id: 'helpline-api', secret: 'helpline-api-secret' };
const KEYBOARD = DEMO_PRODUCTS[0]!;

type Json = Record<string, unknown>;

/**
 * The system as `npm start` runs it, used as a client does, through the gateway only: identity
 * signs the demo people in; user-service, product-service, order-service and the gateway run as
 * processes of their own on databases of their own, configured as the launcher configures them.
 */
describe('the whole API through the gateway', () => {
  let identity: RunningIdentityServer;
  let dataDir: string;
  let databases: TestDatabase[] = [];
  let services: Record<'users' | 'products' | 'orders', ServiceProcess>;
  let gateway: ServiceProcess;
  let common: Record<string, string>;
  /** Every process started, the killed one included, for the log check. */
  const started: ServiceProcess[] = [];
  const tokens: Record<'user' | 'manager' | 'admin', string> = { user: '', manager: '', admin: '' };

  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${gateway.base}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Json };
  };

  beforeAll(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}/${POOL_ID}`;
    dataDir = await mkdtemp(join(tmpdir(), 'helpline-e2e-gateway-'));
    databases = await Promise.all([1, 2, 3, 4].map(() => createTestDatabase()));
    const [usersDb, productsDb, ordersDb, gatewayDb] = databases as [
      TestDatabase,
      TestDatabase,
      TestDatabase,
      TestDatabase,
    ];
    common = {
      JWT_JWKS_URI: `${issuer}/.well-known/jwks.json`,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: 'helpline-spa,helpline-api,order-service,user-provisioner',
      LOG_LEVEL: 'info',
      SEED_DEMO_DATA: 'true',
    };
    const [users, products] = await Promise.all([
      startServiceProcess('apps/user-service/src/main.ts', { ...common, DATABASE_URL: usersDb.url }),
      startServiceProcess('apps/product-service/src/main.ts', { ...common, DATABASE_URL: productsDb.url }),
    ]);
    identity = await startIdentityServer({
      port,
      host: '127.0.0.1',
      issuerBaseUrl: `http://127.0.0.1:${port}`,
      dataDir,
      userServiceUrl: users.base,
      passwordHashCost: 2 ** 10,
    });
    const orders = await startServiceProcess('apps/order-service/src/main.ts', {
      ...common,
      DATABASE_URL: ordersDb.url,
      COGNITO_TOKEN_URL: identity.tokenUrl,
      SERVICE_CLIENT_ID: 'order-service',
      SERVICE_CLIENT_SECRET: 'order-service-secret',
      SERVICE_SCOPE: 'service/user.read service/product.write',
      USER_SERVICE_URL: users.base,
      PRODUCT_SERVICE_URL: products.base,
    });
    services = { users, products, orders };
    started.push(users, products, orders);
    gateway = await startServiceProcess('apps/api-gateway/src/main.ts', {
      ...common,
      DATABASE_URL: gatewayDb.url,
      USER_SERVICE_URL: users.base,
      ORDER_SERVICE_URL: orders.base,
      PRODUCT_SERVICE_URL: products.base,
      GATEWAY_BREAKER_HALF_OPEN_MS: '300',
    });
    started.push(gateway);

    const cognito = new CognitoIdentityProviderClient({
      endpoint: identity.url,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (const who of ['user', 'manager', 'admin'] as const) {
      const email = `${who}@example.com`;
      const signedIn = await cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: API_CLIENT.id,
          AuthParameters: {
            USERNAME: email,
            PASSWORD: 'Passw0rd!',
            SECRET_HASH: secretHash(API_CLIENT.secret, email, API_CLIENT.id),
          },
        }),
      );
      tokens[who] = signedIn.AuthenticationResult!.AccessToken!;
    }
    cognito.destroy();
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(Object.values(services ?? {}).map((s) => s.stop()));
    await identity?.close();
    await Promise.all(databases.map((db) => db.drop()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('a user reads themself and the catalogue, orders, reads the order back and cancels it', async () => {
    const me = await call('GET', '/users/me', { token: tokens.user });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: 'user@example.com' });

    const catalogue = await call('GET', '/products?limit=100', { token: tokens.user });
    expect(catalogue.status).toBe(200);
    expect((catalogue.body.items as Json[]).map((p) => p.id)).toContain(KEYBOARD.id);

    const correlationId = `gw-e2e-${Date.now()}`;
    const order = { items: [{ productId: KEYBOARD.id, quantity: 1 }] };
    const headers = { 'idempotency-key': correlationId, 'x-correlation-id': correlationId };
    const placed = await call('POST', '/orders', { token: tokens.user, body: order, headers });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body).toMatchObject({ status: 'confirmed', userId: me.body.id });
    expect(placed.headers.get('x-correlation-id')).toBe(correlationId);
    expect(placed.headers.get('ratelimit')).toMatch(/^"keyless-/);

    const replayed = await call('POST', '/orders', { token: tokens.user, body: order, headers });
    expect(replayed.body.id).toBe(placed.body.id);
    const read = await call('GET', `/orders/${placed.body.id as string}`, { token: tokens.user });
    expect(read.body).toEqual(placed.body);
    const stock = async () =>
      (await call('GET', `/products/${KEYBOARD.id}`, { token: tokens.user })).body.stock;
    const before = await stock();
    const cancelled = await call('POST', `/orders/${placed.body.id as string}/cancel`, {
      token: tokens.user,
    });
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    expect(await stock()).toBe((before as number) + 1);

    // One correlation id, from the gateway's access lines (the order and its replay) to every
    // service the order touched. Logs are written in batches, at most 100 ms late: each process's
    // lines are waited for (waitForLog fails, naming what was logged, if they never come).
    const ours = (l: Record<string, unknown>) => l.correlationId === correlationId;
    await gateway.waitForLog((l) => ours(l) && l.msg === 'access' && l.status === 200);
    const access = gateway.logs().filter((l) => ours(l) && l.msg === 'access');
    expect(access.map((l) => [l.method, l.route, l.status, l.upstream])).toEqual([
      ['POST', '/orders', 201, 'order-service'],
      ['POST', '/orders', 200, 'order-service'],
    ]);
    for (const service of Object.values(services)) await service.waitForLog(ours);
  });

  it('the gateway refuses without a token; a service refuses the wrong role; a manager may', async () => {
    const anonymous = await call('GET', '/orders');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ code: 'TOKEN_MISSING' });

    const product = { sku: `GW-${Date.now()}`, name: 'Gateway test', price: 100, currency: 'JPY', stock: 1 };
    const byUser = await call('POST', '/products', { token: tokens.user, body: product });
    expect(byUser.status).toBe(403);
    expect(byUser.body).toMatchObject({ code: 'INSUFFICIENT_ROLE' });
    const byManager = await call('POST', '/products', { token: tokens.manager, body: product });
    expect(byManager.status, JSON.stringify(byManager.body)).toBe(201);
  });

  it('an admin issues an API key that a caller then uses, until it is revoked', async () => {
    const created = await call('POST', '/admin/api-keys', {
      token: tokens.admin,
      body: { name: 'partner', plan: 'basic' },
    });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    const used = await call('GET', '/products', { token: tokens.user, headers: { 'x-api-key': key } });
    expect(used.status).toBe(200);
    expect(used.headers.get('ratelimit-policy')).toContain('"basic-burst";q=40;w=2');
    await call('DELETE', `/admin/api-keys/${created.body.id as string}`, { token: tokens.admin });
    const refused = await call('GET', '/products', { token: tokens.user, headers: { 'x-api-key': key } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'API_KEY_INVALID' });
  });

  it('serves one OpenAPI document for the whole API', async () => {
    const res = await fetch(`${gateway.base}/docs/json`);
    const document = (await res.json()) as { paths: Record<string, unknown>; components: { schemas: Json } };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/users/me', '/orders', '/orders/{id}/cancel', '/products', '/admin/api-keys']),
    );
    expect(Object.keys(document.paths).some((p) => p.startsWith('/health'))).toBe(false);
    // Every reference resolves within the merged document.
    const refs = [...JSON.stringify(document).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(document.components.schemas[ref], ref).toBeDefined();
  });

  it('answers 503 with a code while product-service is killed, and serves again once it is back', async () => {
    const products = services.products;
    const port = Number(new URL(products.base).port);
    products.child.kill('SIGKILL');
    await products.exited;
    const down = await call('GET', '/products', { token: tokens.user });
    expect(down.status).toBe(503);
    expect(['UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN']).toContain(down.body.code);
    expect(down.headers.get('retry-after')).toBeTruthy();
    // The rest of the API is unaffected.
    expect((await call('GET', '/users/me', { token: tokens.user })).status).toBe(200);

    services.products = await startServiceProcess(
      'apps/product-service/src/main.ts',
      { ...common, DATABASE_URL: databases[1]!.url },
      { port },
    );
    started.push(services.products);
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await call('GET', '/products', { token: tokens.user })).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });

  it('never logged a token or an API key, in any process', () => {
    const output = started.map((p) => p.output()).join('\n');
    expect(output.length).toBeGreaterThan(1000);
    for (const token of Object.values(tokens)) expect(output).not.toContain(token);
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    expect(output).not.toMatch(/hl_[A-Za-z0-9_-]{43}/);
  });
});
