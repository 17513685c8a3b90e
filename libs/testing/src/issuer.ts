import { once } from 'node:events';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { base64url, CompactSign, JWK } from 'jose';
import { createSigningKey, TestSigningKey } from './issuer-keys.js';
import { accessTokenClaims, idTokenClaims, serviceTokenClaims, TestTokenOptions } from './issuer-tokens.js';

export type { TestSigningKey } from './issuer-keys.js';
export type { TestTokenOptions } from './issuer-tokens.js';

export interface TestIssuerOptions {
  /** Default 'ap-northeast-1_testpool'. */
  poolId?: string;
  /** Default 'test-client'. */
  clientId?: string;
  /** The clock tokens are issued by, in epoch ms; default `Date.now`. */
  now?: () => number;
}

/**
 * A Cognito-shaped token issuer for tests: real RS256 keys, a real JWKS served over HTTP on
 * 127.0.0.1, and tokens with Cognito's exact claim shapes (apps/identity is the full version).
 */
export interface TestIssuer {
  /** `http://127.0.0.1:<port>/<poolId>` */
  readonly issuer: string;
  /** `${issuer}/.well-known/jwks.json` */
  readonly jwksUri: string;
  /**
   * A client-credentials token endpoint (`POST`, HTTP Basic), as Cognito's `/oauth2/token`: any
   * client whose secret is `<clientId>-secret` (the demo pool's convention) gets a service token
   * with the scopes it asks for.
   */
  readonly tokenUrl: string;
  /** How many tokens the token endpoint has issued. */
  readonly tokenRequests: number;
  readonly clientId: string;
  /** How many times the JWKS has been fetched. */
  readonly jwksRequests: number;
  /** PEM (SPKI) of the current access-token key, for key-confusion tests (HS256 "signed" with it). */
  readonly publicKeyPem: string;
  /** JWK of the current access-token key, with `kid`, `alg` and `use`. */
  readonly publicJwk: JWK;
  /** The key set as served. */
  readonly jwks: { keys: JWK[] };
  /** The JWT_* variables of @helpline/auth pointing at this issuer; `extra` overrides or adds. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** The M2M variables (COGNITO_TOKEN_URL, SERVICE_CLIENT_*) of a service client of this issuer. */
  m2mEnv(clientId: string, scopes: string[]): Record<string, string>;
  /** A user access token, signed with the access key. */
  accessToken(options?: TestTokenOptions): Promise<string>;
  /** An ID token, signed with the ID key (a different `kid`, as Cognito does). */
  idToken(options?: TestTokenOptions): Promise<string>;
  /** A client-credentials token: `sub` = `client_id` (default the issuer's clientId), the given scopes. */
  serviceToken(scopes: string[], clientId?: string): Promise<string>;
  /**
   * Raw signing with the access key, for hostile-token tests: any payload (a string is signed as
   * is, so it need not be JSON), any `kid`; `alg` RS256 (default) or 'none' (an unsigned token).
   */
  sign(payload: Record<string, unknown> | string, header?: { alg?: string; kid?: string }): Promise<string>;
  /** Publishes a new access key (the old one stays in the JWKS) and signs access tokens with it from now on. */
  rotateKeys(): Promise<void>;
  /** false: the JWKS endpoint answers 503, to test a verifier's behaviour while the issuer is down. */
  setJwksAvailable(available: boolean): void;
  close(): Promise<void>;
}

export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const poolId = options.poolId ?? 'ap-northeast-1_testpool';
  const clientId = options.clientId ?? 'test-client';
  const now = options.now ?? Date.now;
  const [firstAccessKey, idKey] = await Promise.all([createSigningKey(), createSigningKey()]);
  let accessKey = firstAccessKey;
  const published: TestSigningKey[] = [accessKey, idKey];
  let jwksRequests = 0;
  let tokenRequests = 0;
  let jwksAvailable = true;

  const jwksPath = `/${poolId}/.well-known/jwks.json`;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' && request.url === jwksPath) {
      jwksRequests++;
      if (!jwksAvailable) return reply(response, 503, { message: 'JWKS unavailable (test)' });
      return reply(response, 200, { keys: published.map((key) => key.publicJwk) });
    }
    if (request.method === 'POST' && request.url === '/oauth2/token') {
      return void clientCredentials(request).then(async (grant) => {
        if (!grant) return reply(response, 401, { error: 'invalid_client' });
        tokenRequests++;
        const token = await signWith(accessKey, serviceTokenClaims(grant.scopes, grant.clientId, context()));
        reply(response, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
      });
    }
    reply(response, 404, { message: 'Not found' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}/${poolId}`;
  const context = () => ({ issuer, clientId, nowSeconds: Math.floor(now() / 1000) });

  const signWith = (key: TestSigningKey, payload: Record<string, unknown> | string, kid = key.kid) =>
    new CompactSign(new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload)))
      .setProtectedHeader({ kid, alg: 'RS256' })
      .sign(key.privateKey);

  return {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    tokenUrl: `http://127.0.0.1:${port}/oauth2/token`,
    clientId,
    get jwksRequests() {
      return jwksRequests;
    },
    get tokenRequests() {
      return tokenRequests;
    },
    get publicKeyPem() {
      return accessKey.publicKeyPem;
    },
    get publicJwk() {
      return { ...accessKey.publicJwk };
    },
    get jwks() {
      return { keys: published.map((key) => ({ ...key.publicJwk })) };
    },
    env(extra = {}) {
      return {
        JWT_JWKS_URI: `${issuer}/.well-known/jwks.json`,
        JWT_ISSUER: issuer,
        JWT_AUDIENCE: clientId,
        JWT_ROLES_CLAIM: 'cognito:groups',
        JWT_SCOPES_CLAIM: 'scope',
        JWT_ALGORITHMS: 'RS256',
        ...extra,
      };
    },
    m2mEnv(serviceClientId, scopes) {
      return {
        COGNITO_TOKEN_URL: `http://127.0.0.1:${port}/oauth2/token`,
        SERVICE_CLIENT_ID: serviceClientId,
        SERVICE_CLIENT_SECRET: `${serviceClientId}-secret`,
        SERVICE_SCOPE: scopes.join(' '),
      };
    },
    accessToken: (tokenOptions = {}) => signWith(accessKey, accessTokenClaims(tokenOptions, context())),
    idToken: (tokenOptions = {}) => signWith(idKey, idTokenClaims(tokenOptions, context())),
    serviceToken: (scopes, serviceClientId = clientId) =>
      signWith(accessKey, serviceTokenClaims(scopes, serviceClientId, context())),
    async sign(payload, header = {}) {
      const alg = header.alg ?? 'RS256';
      if (alg === 'none') {
        const encode = (value: unknown) =>
          base64url.encode(typeof value === 'string' ? value : JSON.stringify(value));
        return `${encode({ alg: 'none', ...(header.kid ? { kid: header.kid } : {}) })}.${encode(payload)}.`;
      }
      if (alg !== 'RS256') {
        throw new Error(
          `sign() signs RS256 or 'none', not ${alg}: build other tokens with jose and publicKeyPem`,
        );
      }
      return signWith(accessKey, payload, header.kid);
    },
    async rotateKeys() {
      accessKey = await createSigningKey();
      published.push(accessKey);
    },
    setJwksAvailable(available) {
      jwksAvailable = available;
    },
    async close() {
      // fetch keeps connections alive; without this, close() would wait for them to time out.
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** The client and scopes of a client-credentials request, or undefined when its credentials are wrong. */
async function clientCredentials(
  request: IncomingMessage,
): Promise<{ clientId: string; scopes: string[] } | undefined> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  const form = new URLSearchParams(body);
  const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const [id, secret] = Buffer.from(basic ?? '', 'base64')
    .toString('utf8')
    .split(':');
  if (form.get('grant_type') !== 'client_credentials' || !id || secret !== `${id}-secret`) return undefined;
  return { clientId: id, scopes: (form.get('scope') ?? '').split(' ').filter(Boolean) };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
