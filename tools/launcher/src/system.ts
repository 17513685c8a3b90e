/**
 * The whole helpline system, as `npm start` runs it on one machine: every part, its port, its
 * environment, how to tell it is ready, and what it depends on. Read this file to know the system;
 * add a part here and the launcher starts it in the right order.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Part, SystemDeclaration } from './part.js';

/** The local Cognito-compatible issuer (DESIGN.md §4). */
const IDENTITY_URL = 'http://localhost:9229';
const ISSUER = `${IDENTITY_URL}/ap-northeast-1_helplinelocal`;

/** How every service verifies tokens (DESIGN.md §5): identity's keys, Cognito's claims. */
const JWT_ENV = {
  JWT_JWKS_URI: `${ISSUER}/.well-known/jwks.json`,
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: 'helpline-spa,helpline-api,order-service,user-provisioner',
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
}

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
  port: 9229,
  env: {
    PORT: '9229',
    IDENTITY_DATA_DIR: join(dataRoot(env), 'identity'),
    USER_SERVICE_URL: 'http://localhost:3000',
  },
  readyUrl: 'http://127.0.0.1:9229/health/ready',
  dependsOn: [],
  urls: {
    issuer: ISSUER,
    discovery: `${ISSUER}/.well-known/openid-configuration`,
    jwks: `${ISSUER}/.well-known/jwks.json`,
    token: `${IDENTITY_URL}/oauth2/token`,
    ready: `${IDENTITY_URL}/health/ready`,
  },
});

/** Each service and its database. */
const SERVICES: Array<{ name: string; port: number } & ServiceOptions> = [
  {
    name: 'user-service',
    port: 3000,
    dependsOn: ['identity'],
    database: { database: 'users', role: 'user_service', externalUrlVariable: 'USER_DB_URL' },
  },
];

/** Demo values fixed by DESIGN.md §4, so that scripts and the README can rely on them. */
const DEMO_CREDENTIALS = [
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
  `  curl -s -u order-service:order-service-secret -d grant_type=client_credentials ${IDENTITY_URL}/oauth2/token`,
];

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
    parts: [...(embedded.length > 0 ? [postgres(embedded, env)] : []), identity(env), ...services],
    // Each service gets its own DATABASE_URL: one inherited by all would make them share a database.
    notInherited: ['DATABASE_URL'],
    notes: DEMO_CREDENTIALS,
    warnings: leftoverWarnings(env, cwd),
  };
}
