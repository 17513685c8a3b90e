/**
 * The whole helpline system, as `npm start` runs it on one machine: every part, its port, its
 * environment, how to tell it is ready, and what it depends on. Read this file to know the system;
 * add a part here and the launcher starts it in the right order.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LOCAL_POOL, type LocalPool, type LocalPoolClient } from '@helpline/cognito-pool';
import type { Part, SystemDeclaration } from './part.js';

/** The local Cognito-compatible issuer (DESIGN.md §4): infra/cognito/pool.json, served by identity. */
const IDENTITY_URL = LOCAL_POOL.url;
const ISSUER = LOCAL_POOL.issuer;

/** How every service verifies tokens (DESIGN.md §5): identity's keys, Cognito's claims. */
const JWT_ENV = {
  JWT_JWKS_URI: LOCAL_POOL.jwksUri,
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: LOCAL_POOL.clientIds.join(','),
  JWT_ROLES_CLAIM: 'cognito:groups',
  JWT_SCOPES_CLAIM: 'scope',
  JWT_ALGORITHMS: 'RS256',
};

/**
 * The embedded PostgreSQL cluster every service shares locally: one database and one login role
 * per service. The port keeps clear of a system PostgreSQL on 5432 (and a second one on 5433).
 * Local credentials, fixed so that a developer can connect with psql; the cluster listens on
 * 127.0.0.1 only.
 */
export const LOCAL_POSTGRES = { port: 55432, superuser: 'postgres', password: 'postgres' } as const;

/** A service's own database: its name, its role, and the variable that points it elsewhere. */
interface ServiceDatabase {
  database: string;
  role: string;
  /** Set in the launcher's environment, the service uses that server and the cluster is not started for it. */
  externalUrlVariable: string;
}

interface ServiceOptions {
  dependsOn: string[];
  database: ServiceDatabase;
  env?: Record<string, string>;
  semiSpaceMb?: number;
}

/**
 * The services POST /orders goes through (issue 9): with the launcher's 2 MB semispaces their
 * young generation overflowed under load and garbage collection took about a quarter of their
 * CPU per order more than with 16 MB (bench/place-orders.mjs, interleaved runs). 16 MB cost some
 * 30 MB each at rest, which put the idle stack over its 500 MB goal (bench/idle-stack.mjs): 8 MB,
 * about 15 MB each, keeps it within.
 */
const ORDER_PATH_SEMI_SPACE_MB = 8;

type Env = Record<string, string | undefined>;

/** Where every part keeps its embedded data: `.data/<part>` unless HELPLINE_DATA_DIR says elsewhere. */
function dataRoot(env: Env): string {
  return env.HELPLINE_DATA_DIR || '.data';
}

function localRolePassword(role: string): string {
  return `${role}-local`;
}

function localDatabaseUrl(db: ServiceDatabase): string {
  const password = localRolePassword(db.role);
  return `postgres://${db.role}:${password}@127.0.0.1:${LOCAL_POSTGRES.port}/${db.database}`;
}

/** One of our NestJS services: built to apps/<name>/dist/main.js, verifying identity's tokens. */
function service(name: string, port: number, options: ServiceOptions, env: Env): Part {
  const base = `http://localhost:${port}`;
  const external = env[options.database.externalUrlVariable];
  return {
    name,
    command: ['node', `apps/${name}/dist/main.js`],
    ...(options.semiSpaceMb ? { semiSpaceMb: options.semiSpaceMb } : {}),
    port,
    env: {
      PORT: String(port),
      SERVICE_NAME: name,
      ...JWT_ENV,
      // On the embedded cluster the database is ours to fill with demo data (only when empty).
      ...(external
        ? { DATABASE_URL: external }
        : { DATABASE_URL: localDatabaseUrl(options.database), SEED_DEMO_DATA: 'true' }),
      ...options.env,
    },
    readyUrl: `http://127.0.0.1:${port}/health/ready`,
    dependsOn: external ? options.dependsOn : ['postgres', ...options.dependsOn],
    urls: {
      api: base,
      docs: `${base}/docs`,
      ready: `${base}/health/ready`,
      metrics: `${base}/metrics`,
    },
  };
}

function postgres(databases: ServiceDatabase[], env: Env): Part {
  const { port, superuser, password } = LOCAL_POSTGRES;
  return {
    name: 'postgres',
    command: ['node', 'tools/local-postgres/dist/main.js'],
    port,
    env: {
      POSTGRES_DATA_DIR: join(dataRoot(env), 'postgres'),
      POSTGRES_PORT: String(port),
      POSTGRES_PASSWORD: password,
      POSTGRES_DATABASES: databases
        .map((db) => `${db.database}:${db.role}:${localRolePassword(db.role)}`)
        .join(','),
    },
    readyOnMessage: true,
    dependsOn: [],
    urls: Object.fromEntries([
      ['superuser', `postgres://${superuser}:${password}@127.0.0.1:${port}/postgres`],
      ...databases.map((db) => [db.database, localDatabaseUrl(db)]),
    ]),
  };
}

const identity = (env: Env): Part => ({
  name: 'identity',
  command: ['node', 'apps/identity/dist/main.js'],
  port: LOCAL_POOL.port,
  env: {
    PORT: String(LOCAL_POOL.port),
    IDENTITY_DATA_DIR: join(dataRoot(env), 'identity'),
    USER_SERVICE_URL,
  },
  readyUrl: `http://127.0.0.1:${LOCAL_POOL.port}/health/ready`,
  dependsOn: [],
  urls: {
    issuer: ISSUER,
    discovery: `${ISSUER}/.well-known/openid-configuration`,
    jwks: LOCAL_POOL.jwksUri,
    token: LOCAL_POOL.tokenUrl,
    ready: `${IDENTITY_URL}/health/ready`,
  },
});

/** A service's own client-credentials client of the pool (seed §4.3), as its M2M variables. */
function m2mEnv(clientId: string): Record<string, string> {
  const client = LOCAL_POOL.clients.find((c) => c.clientId === clientId);
  if (!client?.clientSecret)
    throw new Error(`infra/cognito/pool.json has no client ${clientId} with a secret`);
  return {
    COGNITO_TOKEN_URL: LOCAL_POOL.tokenUrl,
    SERVICE_CLIENT_ID: client.clientId,
    SERVICE_CLIENT_SECRET: client.clientSecret,
    SERVICE_SCOPE: client.allowedOAuthScopes.join(' '),
  };
}

const USER_SERVICE_URL = 'http://localhost:3000';
const ORDER_SERVICE_URL = 'http://localhost:3001';
const PRODUCT_SERVICE_URL = 'http://localhost:3002';
/** The one address a client needs (DESIGN.md §8). */
export const GATEWAY_PORT = 8080;

/** Each service and its database. */
const SERVICES: Array<{ name: string; port: number } & ServiceOptions> = [
  {
    name: 'user-service',
    port: 3000,
    dependsOn: ['identity'],
    database: { database: 'users', role: 'user_service', externalUrlVariable: 'USER_DB_URL' },
    semiSpaceMb: ORDER_PATH_SEMI_SPACE_MB,
  },
  {
    name: 'product-service',
    port: 3002,
    dependsOn: ['identity'],
    database: { database: 'products', role: 'product_service', externalUrlVariable: 'PRODUCT_DB_URL' },
    semiSpaceMb: ORDER_PATH_SEMI_SPACE_MB,
  },
  {
    name: 'order-service',
    port: 3001,
    // It reads users and reserves stock; identity gives it its own token.
    dependsOn: ['identity', 'user-service', 'product-service'],
    database: { database: 'orders', role: 'order_service', externalUrlVariable: 'ORDER_DB_URL' },
    semiSpaceMb: ORDER_PATH_SEMI_SPACE_MB,
    env: { ...m2mEnv('order-service'), USER_SERVICE_URL, PRODUCT_SERVICE_URL },
  },
  {
    // Last: it routes to the three services. Its own database holds the API keys; REDIS_URL, when
    // set for the launcher, is inherited and puts the usage-plan counters in Redis.
    name: 'api-gateway',
    port: GATEWAY_PORT,
    dependsOn: ['identity', 'user-service', 'product-service', 'order-service'],
    database: { database: 'gateway', role: 'api_gateway', externalUrlVariable: 'GATEWAY_DB_URL' },
    env: { USER_SERVICE_URL, ORDER_SERVICE_URL, PRODUCT_SERVICE_URL },
  },
];

/**
 * The web console (apps/web): the built single-page app, on the address the pool registers as the
 * SPA client's callback (infra/cognito/pool.json), calling the gateway and signing in at identity.
 */
export const WEB_PORT = 5173;

const web = (): Part => ({
  name: 'web',
  command: ['node', 'apps/web/dist/server/main.js'],
  port: WEB_PORT,
  env: {
    PORT: String(WEB_PORT),
    WEB_API_URL: `http://localhost:${GATEWAY_PORT}`,
    WEB_OIDC_AUTHORITY: ISSUER,
    WEB_OIDC_LOGOUT_URL: `${IDENTITY_URL}/logout`,
  },
  readyUrl: `http://127.0.0.1:${WEB_PORT}/health/ready`,
  dependsOn: ['identity', 'api-gateway'],
  urls: { console: `http://localhost:${WEB_PORT}` },
});

/** How an app client is used: its secret, and the flows it allows. */
function describeClient(client: LocalPoolClient): string {
  const who = client.clientSecret ? `secret ${client.clientSecret}` : 'public';
  if (client.allowedOAuthFlows.includes('client_credentials')) return `${who} (client credentials)`;
  if (client.allowedOAuthFlows.includes('code')) {
    return `${who}, code + PKCE, callback ${client.callbackUrls.join(' ')}`;
  }
  return `${who} (${client.explicitAuthFlows.map((flow) => flow.replace(/^ALLOW_/, '')).join(', ')})`;
}

/**
 * The demo users and app clients of the pool (fixed values, so that scripts and the README can rely
 * on them), and how to get a service token from the first client-credentials client.
 */
export function demoCredentials(pool: LocalPool): string[] {
  const column = (name: string) => `  ${name.padEnd(23)}`;
  const shared = pool.demoPassword;
  const lines = [
    shared === undefined ? 'Demo users:' : `Demo users (password ${shared}):`,
    ...pool.demoUsers.map(
      (user) =>
        column(user.email) +
        (user.groups.length > 0 ? `group ${user.groups.join(', ')}` : 'no group') +
        (shared === undefined ? `, password ${user.password}` : ''),
    ),
    'App clients:',
    ...pool.clients.map((client) => column(client.clientId) + describeClient(client)),
  ];
  const m2m = pool.clients.find(
    (client) => client.clientSecret && client.allowedOAuthFlows.includes('client_credentials'),
  );
  if (m2m) {
    lines.push(
      'A service token (client credentials):',
      `  curl -s -u ${m2m.clientId}:${m2m.clientSecret} -d grant_type=client_credentials ${pool.tokenUrl}`,
    );
  }
  return lines;
}

/**
 * Before the embedded cluster, each service kept a PGlite database in `.data/<service>/`. Nothing
 * reads those any more; say so once rather than leave a person wondering where their rows went.
 */
function leftoverWarnings(env: Env, cwd: string): string[] {
  return SERVICES.map((s) => join(dataRoot(env), s.name))
    .filter((dir) => existsSync(resolve(cwd, dir, 'PG_VERSION')))
    .map(
      (dir) =>
        `${dir} holds a PGlite database from an earlier version, which is no longer read (services now ` +
        `share the PostgreSQL cluster in ${join(dataRoot(env), 'postgres')}); delete it: rm -rf ${dir}`,
    );
}

/** The system for this environment: services with USER_DB_URL... set use that server instead of the cluster. */
export function buildSystem(env: Env, cwd: string): SystemDeclaration {
  const services = SERVICES.map((s) => service(s.name, s.port, s, env));
  const embedded = SERVICES.filter((s) => !env[s.database.externalUrlVariable]).map((s) => s.database);
  return {
    parts: [...(embedded.length > 0 ? [postgres(embedded, env)] : []), identity(env), ...services, web()],
    // Each service gets its own DATABASE_URL: one inherited by all would make them share a database.
    notInherited: ['DATABASE_URL'],
    notes: demoCredentials(LOCAL_POOL),
    warnings: leftoverWarnings(env, cwd),
  };
}
