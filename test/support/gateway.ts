import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestIssuer,
  LogCapture,
  type ServiceHarness,
  startServiceHarness,
  type TestIssuer,
} from '@helpline/testing';
import { AppModule, OPEN_API, REQUEST_CONTEXT } from '../../apps/api-gateway/src/app.module.js';
import { type GatewayConfig, readGatewayConfig } from '../../apps/api-gateway/src/config.js';
import { mountEdge } from '../../apps/api-gateway/src/edge/mount-edge.js';
import { startStubUpstream, type StubUpstream } from './stub-upstream.js';

export interface GatewayUnderTest {
  gateway: ServiceHarness<GatewayConfig>;
  issuer: TestIssuer;
  upstreams: { users: StubUpstream; orders: StubUpstream; products: StubUpstream };
  logs: LogCapture;
  /** A raw request to the gateway. */
  fetch(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  close(): Promise<void>;
}

/** Writes a usage-plans file for a test; its path. */
export async function writePlans(plans: unknown): Promise<{ file: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'helpline-plans-'));
  const file = join(dir, 'usage-plans.json');
  await writeFile(file, JSON.stringify(plans));
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The gateway in this process, as its `main` builds it, in front of three stub upstreams, with
 * the usage plans given, verifying tokens of a test issuer; its log lines captured.
 */
export async function startGatewayUnderTest(options: {
  plans: unknown;
  env?: Record<string, string>;
}): Promise<GatewayUnderTest> {
  const issuer = await createTestIssuer();
  const [users, orders, products] = await Promise.all([
    startStubUpstream('user-service'),
    startStubUpstream('order-service'),
    startStubUpstream('product-service'),
  ]);
  const plans = await writePlans(options.plans);
  const logs = new LogCapture();
  const gateway = await startServiceHarness({
    readConfig: readGatewayConfig,
    module: (config, { logDestination }) => AppModule.forRoot(config, { logDestination }),
    openApi: OPEN_API,
    requestContext: REQUEST_CONTEXT,
    issuer,
    logDestination: logs,
    beforeInit: (config) => (app, fastify) => mountEdge(app, fastify, config),
    env: {
      USER_SERVICE_URL: users.url,
      ORDER_SERVICE_URL: orders.url,
      PRODUCT_SERVICE_URL: products.url,
      GATEWAY_USAGE_PLANS_FILE: plans.file,
      ...options.env,
    },
  });
  return {
    gateway,
    issuer,
    upstreams: { users, orders, products },
    logs,
    fetch: (path, init = {}) => {
      const { token, headers, ...rest } = init;
      return fetch(`${gateway.base}${path}`, {
        ...rest,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(headers as Record<string, string>),
        },
      });
    },
    async close() {
      await gateway.close();
      await Promise.all([users.close(), orders.close(), products.close(), issuer.close(), plans.remove()]);
    },
  };
}
