// A JSON module, not a file read at run time: a bundler (the triggers' Lambda) inlines it.
import definition from '../pool.json' with { type: 'json' };

/** identity's default address (apps/identity listens on PORT 9229 of localhost unless told otherwise). */
export const LOCAL_IDENTITY_PORT = 9229;
const LOCAL_IDENTITY_URL = `http://localhost:${LOCAL_IDENTITY_PORT}`;

/** The app client the Cognito triggers use to create users in user-service (client credentials). */
export const PROVISIONER_CLIENT_ID = 'user-provisioner';

/** What the local facts are made of; identity validates the whole file at start-up. */
export interface PoolFile {
  userPoolId: string;
  region: string;
  clients: ReadonlyArray<{
    clientId: string;
    clientSecret?: string;
    explicitAuthFlows?: readonly string[];
    allowedOAuthFlows?: readonly string[];
    allowedOAuthScopes?: readonly string[];
    callbackUrls?: readonly string[];
  }>;
  demoUsers?: ReadonlyArray<{ email: string; password: string; groups?: readonly string[] }>;
}

export interface LocalPoolClient {
  clientId: string;
  clientSecret?: string;
  explicitAuthFlows: readonly string[];
  allowedOAuthFlows: readonly string[];
  allowedOAuthScopes: readonly string[];
  callbackUrls: readonly string[];
}

export interface LocalDemoUser {
  email: string;
  password: string;
  groups: readonly string[];
}

/** The local pool as identity serves it by default: what services, the launcher and the triggers need. */
export interface LocalPool {
  /** identity's scheme, host and port. */
  url: string;
  port: number;
  poolId: string;
  region: string;
  /** `<url>/<poolId>`, as Cognito's issuer is `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  issuer: string;
  jwksUri: string;
  tokenUrl: string;
  /** Every app client of the pool: the clients whose tokens the services accept. */
  clientIds: readonly string[];
  clients: readonly LocalPoolClient[];
  /** The triggers' client: its id, secret and scopes (space-separated). */
  provisioner: { clientId: string; clientSecret: string; scope: string };
  demoUsers: readonly LocalDemoUser[];
  /** The password every demo user has, when they share one. */
  demoPassword?: string;
}

/** The local facts of a pool definition, served by identity at `url`. */
export function describeLocalPool(pool: PoolFile, url = LOCAL_IDENTITY_URL): LocalPool {
  const clients = pool.clients.map((client): LocalPoolClient => ({
    clientId: client.clientId,
    ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
    explicitAuthFlows: client.explicitAuthFlows ?? [],
    allowedOAuthFlows: client.allowedOAuthFlows ?? [],
    allowedOAuthScopes: client.allowedOAuthScopes ?? [],
    callbackUrls: client.callbackUrls ?? [],
  }));
  const provisioner = clients.find((client) => client.clientId === PROVISIONER_CLIENT_ID);
  if (!provisioner?.clientSecret || !provisioner.allowedOAuthFlows.includes('client_credentials')) {
    throw new Error(
      `the pool has no client-credentials client ${PROVISIONER_CLIENT_ID} with a secret (the triggers need it)`,
    );
  }
  const demoUsers = (pool.demoUsers ?? []).map((user): LocalDemoUser => ({
    email: user.email,
    password: user.password,
    groups: user.groups ?? [],
  }));
  const passwords = new Set(demoUsers.map((user) => user.password));
  const issuer = `${url}/${pool.userPoolId}`;
  return {
    url,
    port: Number(new URL(url).port),
    poolId: pool.userPoolId,
    region: pool.region,
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    tokenUrl: `${url}/oauth2/token`,
    clientIds: clients.map((client) => client.clientId),
    clients,
    provisioner: {
      clientId: provisioner.clientId,
      clientSecret: provisioner.clientSecret,
      scope: provisioner.allowedOAuthScopes.join(' '),
    },
    demoUsers,
    ...(passwords.size === 1 ? { demoPassword: [...passwords][0] } : {}),
  };
}

/** infra/cognito/pool.json, served by identity at its default address. */
export const LOCAL_POOL: LocalPool = describeLocalPool(definition);
