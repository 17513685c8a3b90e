/**
 * The whole helpline system, as `npm start` runs it on one machine: every part, its port, its
 * environment, how to tell it is ready, and what it depends on. Read this file to know the system;
 * add a part here and the launcher starts it in the right order.
 */
import type { Part, SystemDeclaration } from './part.js';

/** Where every part keeps its embedded data: `.data/<part>` unless HELPLINE_DATA_DIR says elsewhere. */
const DATA_ROOT = process.env.HELPLINE_DATA_DIR || '.data';

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

interface ServiceOptions {
  dependsOn: string[];
  /** The launcher variable whose value, when set, becomes the service's DATABASE_URL; unset → embedded PGlite. */
  databaseUrlFrom?: string;
  env?: Record<string, string>;
}

/** One of our NestJS services: built to apps/<name>/dist/main.js, verifying identity's tokens. */
function service(name: string, port: number, options: ServiceOptions): Part {
  const base = `http://localhost:${port}`;
  return {
    name,
    command: ['node', `apps/${name}/dist/main.js`],
    port,
    env: {
      PORT: String(port),
      SERVICE_NAME: name,
      DATA_DIR: `${DATA_ROOT}/${name}`,
      ...JWT_ENV,
      ...options.env,
    },
    envFromLauncher: options.databaseUrlFrom ? { DATABASE_URL: options.databaseUrlFrom } : {},
    readyUrl: `http://127.0.0.1:${port}/health/ready`,
    dependsOn: options.dependsOn,
    urls: {
      api: base,
      docs: `${base}/docs`,
      ready: `${base}/health/ready`,
      metrics: `${base}/metrics`,
    },
  };
}

const identity: Part = {
  name: 'identity',
  command: ['node', 'apps/identity/dist/main.js'],
  port: 9229,
  env: {
    PORT: '9229',
    IDENTITY_DATA_DIR: `${DATA_ROOT}/identity`,
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
};

const userService = service('user-service', 3000, {
  dependsOn: ['identity'],
  databaseUrlFrom: 'USER_DB_URL',
});

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

export const system: SystemDeclaration = {
  parts: [identity, userService],
  // Each service gets its own database from its own variable (USER_DB_URL...): one inherited
  // DATABASE_URL would make them all share one.
  notInherited: ['DATABASE_URL'],
  notes: DEMO_CREDENTIALS,
};
