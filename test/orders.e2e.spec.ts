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

/**
 * An order as `npm start` places it: identity issues the tokens (the user's, and order-service's
 * client-credentials one); user-service, product-service and order-service run as processes of
 * their own, on databases of their own, with the seeded demo data, configured with the seed's
 * environment variables only.
 */
describe('placing an order across identity, user-service, product-service and order-service', () => {
  let identity: RunningIdentityServer;
  let dataDir: string;
  let databases: TestDatabase[] = [];
  let users: ServiceProcess;
  let products: ServiceProcess;
  let orders: ServiceProcess;
  let userToken: string;

  const call = async (
    service: ServiceProcess,
    method: string,
    path: string,
    body?: unknown,
    headers = {},
  ) => {
    const res = await fetch(`${service.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${userToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}/${POOL_ID}`;
    dataDir = await mkdtemp(join(tmpdir(), 'helpline-e2e-orders-'));
    databases = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
    const [usersDb, productsDb, ordersDb] = databases as [TestDatabase, TestDatabase, TestDatabase];
    // As the launcher sets them for every service (tools/launcher/src/system.ts).
    const common = {
      JWT_JWKS_URI: `${issuer}/.well-known/jwks.json`,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: 'helpline-spa,helpline-api,order-service,user-provisioner',
      LOG_LEVEL: 'info',
      SEED_DEMO_DATA: 'true',
    };
    [users, products] = await Promise.all([
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
    orders = await startServiceProcess('apps/order-service/src/main.ts', {
      ...common,
      DATABASE_URL: ordersDb.url,
      COGNITO_TOKEN_URL: identity.tokenUrl,
      SERVICE_CLIENT_ID: 'order-service',
      SERVICE_CLIENT_SECRET: 'order-service-secret',
      SERVICE_SCOPE: 'service/user.read service/product.write',
      USER_SERVICE_URL: users.base,
      PRODUCT_SERVICE_URL: products.base,
    });
    const cognito = new CognitoIdentityProviderClient({
      endpoint: identity.url,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const signedIn = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: API_CLIENT.id,
        AuthParameters: {
          USERNAME: 'user@example.com',
          PASSWORD: 'Passw0rd!',
          SECRET_HASH: secretHash(API_CLIENT.secret, 'user@example.com', API_CLIENT.id),
        },
      }),
    );
    cognito.destroy();
    userToken = signedIn.AuthenticationResult!.AccessToken!;
  }, 90_000);

  afterAll(async () => {
    await Promise.all([orders?.stop(), users?.stop(), products?.stop()]);
    await identity?.close();
    await Promise.all(databases.map((db) => db.drop()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('places the order, reads it back, and the correlation id is in the logs of all three services', async () => {
    const correlationId = `e2e-order-${Date.now()}`;
    const placed = await call(
      orders,
      'POST',
      '/orders',
      { items: [{ productId: KEYBOARD.id, quantity: 2 }] },
      { 'x-correlation-id': correlationId, 'idempotency-key': correlationId },
    );
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.headers.get('x-correlation-id')).toBe(correlationId);
    expect(placed.body).toMatchObject({
      status: 'confirmed',
      total: 2 * KEYBOARD.price,
      currency: 'JPY',
      items: [{ productId: KEYBOARD.id, name: KEYBOARD.name, unitPrice: KEYBOARD.price, quantity: 2 }],
    });

    const me = await call(users, 'GET', '/users/me');
    expect(placed.body.userId).toBe(me.body.id);
    const read = await call(orders, 'GET', `/orders/${placed.body.id as string}`);
    expect(read.body).toEqual(placed.body);
    const product = await call(products, 'GET', `/products/${KEYBOARD.id}`);
    expect(product.body.stock).toBe(KEYBOARD.stock - 2);

    // Logs are written in batches: wait for the lines of this request in each service.
    const requestLine = (url: RegExp) => (line: Record<string, unknown>) =>
      line.correlationId === correlationId &&
      url.test(String((line.req as { url?: string } | undefined)?.url));
    await orders.waitForLog(requestLine(/^\/orders$/));
    await users.waitForLog(requestLine(/^\/users\/me$/));
    await products.waitForLog(requestLine(/\/commit$/));
    await products.waitForLog(requestLine(/^\/products\/reservations$/));
    const carried = (service: ServiceProcess) =>
      service.logs().filter((line) => line.correlationId === correlationId);
    expect(carried(orders).map((line) => (line.req as { url?: string } | undefined)?.url)).toContain(
      '/orders',
    );
    // GET /users/me, with the user's own token passed on.
    expect(carried(users).map((line) => (line.req as { url?: string } | undefined)?.url)).toContain(
      '/users/me',
    );
    // The reservation and its commit, with order-service's own token.
    expect(carried(products).map((line) => (line.req as { url?: string } | undefined)?.url)).toEqual(
      expect.arrayContaining(['/products/reservations', expect.stringMatching(/\/commit$/)]),
    );
  });
});
