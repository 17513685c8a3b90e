import { randomUUID } from 'node:crypto';
import {
  createTestIssuer,
  type FaultProxy,
  type HarnessResponse,
  LogCapture,
  type ServiceHarness,
  startFaultProxy,
  startServiceHarness,
  type TestIssuer,
} from '@helpline/testing';
import { AppModule as OrderApp, OPEN_API as ORDER_API } from '../../apps/order-service/src/app.module.js';
import { type OrderServiceConfig, readOrderServiceConfig } from '../../apps/order-service/src/config.js';
import { OrdersRepository } from '../../apps/order-service/src/orders/orders.repository.js';
import { ReservationTasksWorker } from '../../apps/order-service/src/orders/reservation-tasks.worker.js';
import {
  AppModule as ProductApp,
  OPEN_API as PRODUCT_API,
} from '../../apps/product-service/src/app.module.js';
import {
  type ProductServiceConfig,
  readProductServiceConfig,
} from '../../apps/product-service/src/config.js';
import { AppModule as UserApp, OPEN_API as USER_API } from '../../apps/user-service/src/app.module.js';
import { readUserServiceConfig, type UserServiceConfig } from '../../apps/user-service/src/config.js';

/** order-service's client-credentials client, as in the demo pool. */
export const ORDER_CLIENT = { id: 'order-service', scopes: ['service/user.read', 'service/product.write'] };

export interface Buyer {
  token: string;
  sub: string;
  userId: string;
}

export interface OrderSystem {
  issuer: TestIssuer;
  users: ServiceHarness<UserServiceConfig>;
  products: ServiceHarness<ProductServiceConfig>;
  orders: ServiceHarness<OrderServiceConfig>;
  /** Between order-service and product-service: makes chosen calls fail. */
  productsProxy: FaultProxy;
  logs: { users: LogCapture; products: LogCapture; orders: LogCapture };
  tokens: { admin: string; manager: string };
  /** A new person with a user in user-service, and their token. */
  buyer(): Promise<Buyer>;
  /** A new product with `stock` units, made by a manager; its id. */
  product(
    fields?: Partial<{ price: number; currency: string; stock: number; name: string }>,
  ): Promise<string>;
  /** Units available now, as product-service says. */
  stockOf(productId: string): Promise<number>;
  order(
    buyer: Buyer,
    items: Array<{ productId: string; quantity: number }>,
    idempotencyKey?: string,
  ): Promise<HarnessResponse>;
  /** One pass of order-service's reservation worker (it does not run on its own here). */
  settle(): Promise<void>;
  /** Passes of the worker until no reservation task is left undone (or `timeoutMs` passes). */
  settleAll(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

let products = 0;

/**
 * user-service, product-service and order-service, each on a database of its own, verifying
 * tokens of one test issuer (whose token endpoint gives order-service its client-credentials
 * token), with a fault proxy between order-service and product-service. What `npm start` runs,
 * minus identity and the gateway.
 */
export async function startOrderSystem(
  options: { orderEnv?: Record<string, string> } = {},
): Promise<OrderSystem> {
  const issuer = await createTestIssuer();
  const logs = { users: new LogCapture(), products: new LogCapture(), orders: new LogCapture() };
  const users = await startServiceHarness({
    readConfig: readUserServiceConfig,
    module: (config, { logDestination }) => UserApp.forRoot(config, { logDestination }),
    openApi: USER_API,
    audience: [ORDER_CLIENT.id],
    issuer,
    logDestination: logs.users,
  });
  const productsService = await startServiceHarness({
    readConfig: readProductServiceConfig,
    module: (config, { logDestination }) => ProductApp.forRoot(config, { logDestination }),
    openApi: PRODUCT_API,
    audience: [ORDER_CLIENT.id],
    issuer,
    logDestination: logs.products,
  });
  const productsProxy = await startFaultProxy(productsService.base);
  const orders = await startServiceHarness({
    readConfig: readOrderServiceConfig,
    module: (config, { logDestination }) => OrderApp.forRoot(config, { logDestination }),
    openApi: ORDER_API,
    issuer,
    logDestination: logs.orders,
    env: {
      ...issuer.m2mEnv(ORDER_CLIENT.id, ORDER_CLIENT.scopes),
      USER_SERVICE_URL: users.base,
      PRODUCT_SERVICE_URL: productsProxy.url,
      RESERVATION_WORKER: 'off',
      // Retries of the outbox come quickly, so that tests need not wait for backoff.
      RESERVATION_RETRY_MAX_MS: '50',
      ...options.orderEnv,
    },
  });
  const [admin, manager] = await Promise.all([
    issuer.accessToken({ groups: ['admin'] }),
    issuer.accessToken({ groups: ['manager'] }),
  ]);

  return {
    issuer,
    users,
    products: productsService,
    orders,
    productsProxy,
    logs,
    tokens: { admin, manager },
    async buyer() {
      const sub = randomUUID();
      const created = await users.call('POST', '/users', admin, {
        sub,
        email: `${sub}@example.com`,
        name: 'Buyer',
      });
      if (created.status !== 201) throw new Error(`no buyer: ${JSON.stringify(created.body)}`);
      return {
        sub,
        userId: created.body.id as string,
        token: await issuer.accessToken({ sub, groups: ['user'] }),
      };
    },
    async product(fields = {}) {
      const res = await productsService.call('POST', '/products', manager, {
        sku: `O-${process.pid}-${++products}`,
        name: fields.name ?? `Order test product ${products}`,
        price: fields.price ?? 1200,
        currency: fields.currency ?? 'JPY',
        stock: fields.stock ?? 10,
      });
      if (res.status !== 201) throw new Error(`no product: ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    },
    async stockOf(productId) {
      const res = await productsService.call('GET', `/products/${productId}`, manager);
      return res.body.stock as number;
    },
    order(buyer, items, idempotencyKey) {
      return orders.call(
        'POST',
        '/orders',
        buyer.token,
        { items },
        idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
      );
    },
    settle: () => orders.app.get(ReservationTasksWorker).runOnce(),
    async settleAll(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await orders.app.get(ReservationTasksWorker).runOnce();
        if ((await orders.app.get(OrdersRepository).pendingTaskCount()) === 0) return;
        if (Date.now() > deadline) throw new Error('reservation tasks still undone');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await orders.close();
      await productsProxy.close();
      await Promise.all([productsService.close(), users.close()]);
      await issuer.close();
    },
  };
}
