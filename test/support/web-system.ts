import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defaultPoolFile,
  type PoolDefinitionInput,
  type RunningIdentityServer,
  startIdentityServer,
} from '@helpline/identity';
import { createTestDatabase, freePort, type TestDatabase } from '@helpline/testing';
import { readWebConfig } from '../../apps/web/server/web-config.js';
import { type RunningWebServer, startWebServer } from '../../apps/web/server/web-server.js';
import { type ServiceProcess, startServiceProcess } from './service-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP_DIR = join(ROOT, 'apps/web/dist/app');
const SPA_CLIENT = 'helpline-spa';

export interface WebSystem {
  /** The console, `http://127.0.0.1:<port>`. */
  web: string;
  gateway: string;
  identity: RunningIdentityServer;
  webServer: RunningWebServer;
  /** Stops everything it started, whatever state it is in. */
  close(): Promise<void>;
}

/**
 * Builds the console if its sources changed since the last build (a no-op after `npm run build`),
 * so that `npm test` on a fresh clone tests the app as `npm start` serves it.
 */
export function buildConsole(): void {
  const result = spawnSync(process.execPath, ['apps/web/scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building the console failed:\n${result.stdout}${result.stderr}`);
}

/**
 * The whole system as `npm start` runs it, on free ports: identity (in this process, its SPA client
 * registered for this console's address), the three services and the gateway (processes of their
 * own, on databases of their own) and the console's server (in this process), wired the way the
 * launcher wires them.
 */
export async function startWebSystem(): Promise<WebSystem> {
  const started: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  try {
    const [identityPort, webPort] = [await freePort(), await freePort()];
    const web = `http://127.0.0.1:${webPort}`;
    const identityBase = `http://127.0.0.1:${identityPort}`;
    const pool = await poolFor(web);
    const issuer = `${identityBase}/${pool.userPoolId}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'helpline-e2e-web-'));
    started.push(() => rm(dataDir, { recursive: true, force: true }));
    const databases: TestDatabase[] = await Promise.all([1, 2, 3, 4].map(() => createTestDatabase()));
    started.push(() => Promise.all(databases.map((db) => db.drop())));
    const [usersDb, productsDb, ordersDb, gatewayDb] = databases as [
      TestDatabase,
      TestDatabase,
      TestDatabase,
      TestDatabase,
    ];
    const common = {
      JWT_JWKS_URI: `${issuer}/.well-known/jwks.json`,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: 'helpline-spa,helpline-api,order-service,user-provisioner',
      LOG_LEVEL: 'warn',
      SEED_DEMO_DATA: 'true',
    };
    const process = async (entry: string, env: Record<string, string>): Promise<ServiceProcess> => {
      const service = await startServiceProcess(entry, { ...common, ...env });
      started.push(() => service.stop());
      return service;
    };
    const [users, products] = await Promise.all([
      process('apps/user-service/src/main.ts', { DATABASE_URL: usersDb.url }),
      process('apps/product-service/src/main.ts', { DATABASE_URL: productsDb.url }),
    ]);
    const identity = await startIdentityServer({
      port: identityPort,
      host: '127.0.0.1',
      issuerBaseUrl: identityBase,
      dataDir,
      pool,
      userServiceUrl: users.base,
      passwordHashCost: 2 ** 10,
    });
    started.push(() => identity.close());
    const orders = await process('apps/order-service/src/main.ts', {
      DATABASE_URL: ordersDb.url,
      COGNITO_TOKEN_URL: identity.tokenUrl,
      SERVICE_CLIENT_ID: 'order-service',
      SERVICE_CLIENT_SECRET: 'order-service-secret',
      SERVICE_SCOPE: 'service/user.read service/product.write',
      USER_SERVICE_URL: users.base,
      PRODUCT_SERVICE_URL: products.base,
    });
    const gateway = await process('apps/api-gateway/src/main.ts', {
      DATABASE_URL: gatewayDb.url,
      USER_SERVICE_URL: users.base,
      ORDER_SERVICE_URL: orders.base,
      PRODUCT_SERVICE_URL: products.base,
      GATEWAY_CORS_ORIGINS: web,
    });
    const webServer = await startWebServer(
      readWebConfig(
        {
          PORT: String(webPort),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          WEB_API_URL: gateway.base,
          WEB_OIDC_AUTHORITY: issuer,
          WEB_OIDC_LOGOUT_URL: `${identityBase}/logout`,
        },
        APP_DIR,
      ),
    );
    started.push(() => webServer.close());
    return { web, gateway: gateway.base, identity, webServer, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** infra/cognito/pool.json with the SPA client's callback and sign-out URLs at this console's address. */
async function poolFor(web: string): Promise<PoolDefinitionInput> {
  const pool = JSON.parse(await readFile(defaultPoolFile(), 'utf8')) as PoolDefinitionInput;
  const spa = pool.clients?.find((client) => client.clientId === SPA_CLIENT);
  if (!spa) throw new Error(`pool.json has no ${SPA_CLIENT} client`);
  spa.callbackUrls = [`${web}/callback`];
  spa.logoutUrls = [`${web}/`];
  return pool;
}
