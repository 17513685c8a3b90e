import { DATABASE, type Database } from '@helpline/common';
import { type HarnessResponse, type ServiceHarness, startServiceHarness } from '@helpline/testing';
import { type SQL, sql } from 'drizzle-orm';
import type { DestinationStream } from 'pino';
import { AppModule, OPEN_API } from '../app.module.js';
import { type ProductServiceConfig, readProductServiceConfig } from '../config.js';

export type Response = HarnessResponse;
export type ProductServiceHarness = ServiceHarness<ProductServiceConfig>;

/**
 * product-service as it runs, on a database of its own, verifying tokens from a test issuer whose
 * audience includes order-service (the client-credentials caller of the reservation routes).
 */
export function startProductService(
  options: {
    env?: Record<string, string>;
    logDestination?: DestinationStream;
    /** A database of the caller's (dropped by the caller); default: a fresh test database. */
    databaseUrl?: string;
  } = {},
): Promise<ProductServiceHarness> {
  return startServiceHarness({
    readConfig: readProductServiceConfig,
    module: (config, { logDestination }) => AppModule.forRoot(config, { logDestination }),
    openApi: OPEN_API,
    audience: ['order-service'],
    ...options,
  });
}

/** Rows of a query run on the service's own database, bypassing the service: what is really stored. */
export async function sqlRows<T extends Record<string, unknown>>(
  svc: ProductServiceHarness,
  query: SQL,
): Promise<T[]> {
  const result = await svc.app.get<string, Database>(DATABASE).execute(query);
  return (result as { rows: T[] }).rows;
}

/** The units of a product as stored, read with SQL rather than through the API. */
export async function storedStock(svc: ProductServiceHarness, productId: string): Promise<number> {
  const [row] = await sqlRows<{ stock: number }>(
    svc,
    sql`select stock from products where id = ${productId}`,
  );
  if (!row) throw new Error(`no product ${productId}`);
  return row.stock;
}

/** Callers of every kind: the two product roles, a plain user, order-service, and a read-only service. */
export async function tokensFor(svc: ProductServiceHarness) {
  const { issuer } = svc;
  const [admin, manager, user, orderService, readOnlyService] = await Promise.all([
    issuer.accessToken({ groups: ['admin'] }),
    issuer.accessToken({ groups: ['manager'] }),
    issuer.accessToken({ groups: ['user'] }),
    issuer.serviceToken(['service/product.write'], 'order-service'),
    issuer.serviceToken(['service/product.read'], 'order-service'),
  ]);
  return { admin, manager, user, orderService, readOnlyService };
}

let skuCounter = 0;

/** Creates a product (as a manager) and returns its id: a product per test keeps tests apart. */
export async function createProduct(
  svc: ProductServiceHarness,
  managerToken: string,
  fields: Partial<{ sku: string; name: string; price: number; currency: string; stock: number }> = {},
): Promise<string> {
  const res = await svc.call('POST', '/products', managerToken, {
    sku: `T-${process.pid}-${++skuCounter}`,
    name: `Test product ${skuCounter}`,
    price: 1000,
    currency: 'JPY',
    stock: 10,
    ...fields,
  });
  if (res.status !== 201) throw new Error(`could not create a product: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/**
 * Opens `count` keep-alive connections to the service (fetch keeps them for a few seconds), so
 * that a burst of requests sent next arrives together instead of one per TCP handshake.
 */
export async function openConnections(svc: ProductServiceHarness, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, () => fetch(`${svc.base}/health/live`).then((r) => r.text())),
  );
}
