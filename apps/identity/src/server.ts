import { join } from 'node:path';
import {
  createTriggerHandlers,
  DEFAULT_PROVISIONER_CLIENT_ID,
  DEFAULT_PROVISIONER_SCOPE,
  type TriggerHandlers,
} from '@helpline/cognito-triggers';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { systemClock, type Clock } from './clock.js';
import { CORRELATION_ID_HEADER, correlationIdOf } from './correlation-id.js';
import { cognitoApiRoutes } from './cognito-api/cognito-api.routes.js';
import {
  DEFAULT_PORT,
  DEFAULT_TOKEN_TTL,
  DEFAULT_USER_SERVICE_URL,
  type LogLevel,
  type TokenTtl,
} from './config.js';
import type { IdentityContext } from './context.js';
import { healthRoutes } from './health/health.routes.js';
import { KeyStore } from './keys/key-store.js';
import { createLogger, type Logger } from './logger.js';
import { AuthorizationCodes } from './oauth/authorization-codes.js';
import { oauthRoutes } from './oauth/oauth.routes.js';
import { Outbox } from './outbox/outbox.js';
import { outboxRoutes } from './outbox/outbox.routes.js';
import { defaultPoolFile, loadPoolFile, parsePoolDefinition } from './pool/load-pool.js';
import type { PoolDefinitionInput } from './pool/pool-definition.js';
import { Pool } from './pool/pool.js';
import { JsonFile } from './storage/json-file.js';
import { AccessTokenVerifier } from './tokens/access-token-verifier.js';
import { RefreshTokenStore } from './tokens/refresh-token-store.js';
import { TokenService } from './tokens/token-service.js';
import { TriggerRunner } from './triggers/trigger-runner.js';
import { Accounts } from './users/accounts.js';
import { seedDemoUsers } from './users/demo-users.js';
import { PasswordHasher } from './users/password-hasher.js';
import { UserAdmin } from './users/user-admin.js';
import { UserStore } from './users/user-store.js';
import { wellKnownRoutes } from './well-known/well-known.routes.js';

export interface IdentityServerOptions {
  /** Where keys, users and refresh tokens are kept; created if missing. */
  dataDir: string;
  /** The pool definition itself; default: the file `poolFile`. */
  pool?: PoolDefinitionInput;
  /** Default: infra/cognito/pool.json of this checkout. */
  poolFile?: string;
  /** Scheme, host and port tokens and discovery name; default: the address the server listens on. */
  issuerBaseUrl?: string;
  tokenTtl?: Partial<TokenTtl>;
  /** Where Post confirmation creates users; default http://localhost:3000. */
  userServiceUrl?: string;
  /** Pre sign-up admits only these email domains; default: every domain. */
  allowedEmailDomains?: string[];
  /** Replaces some trigger handlers (tests); which triggers run still comes from the pool definition. */
  triggerHandlers?: Partial<TriggerHandlers>;
  clock?: Clock;
  /** Default: a pino logger at `logLevel` (default `silent`) writing to stdout. */
  logger?: Logger;
  logLevel?: LogLevel;
  /** scrypt N for new password hashes; tests use a small one. */
  passwordHashCost?: number;
  /** Serve `GET /_local/outbox`; main turns it off in production. Default true. */
  outbox?: boolean;
}

export interface IdentityServer {
  app: FastifyInstance;
  context: IdentityContext;
  /** Starts listening (default 127.0.0.1 on a free port) and resolves to the URL it listens on. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  close(): Promise<void>;
  /** Starts new signing keys; the old ones stay in the JWKS until their tokens have expired. */
  rotateKeys(): Promise<void>;
  /** Where the OAuth endpoints are published: `issuerBaseUrl`, else where it listens. */
  readonly baseUrl: string;
  readonly issuer: string;
}

export interface RunningIdentityServer extends IdentityServer {
  /** Where it listens (the published `baseUrl` may differ when `issuerBaseUrl` is set). */
  url: string;
  issuer: string;
  /** The JWKS and token endpoint at the listening address. */
  jwksUri: string;
  tokenUrl: string;
}

/** Builds identity without listening: loads the pool, keys and stores, seeds demo users on an empty store. */
export async function buildIdentityServer(options: IdentityServerOptions): Promise<IdentityServer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(options.logLevel ?? 'silent');
  const tokenTtl: TokenTtl = { ...DEFAULT_TOKEN_TTL, ...options.tokenTtl };
  const pool = new Pool(
    options.pool
      ? parsePoolDefinition(options.pool)
      : await loadPoolFile(options.poolFile ?? defaultPoolFile()),
  );
  const file = <T>(name: string) => new JsonFile<T>(join(options.dataDir, name));

  let listeningUrl: string | undefined;
  const baseUrl = () =>
    options.issuerBaseUrl?.replace(/\/+$/, '') ?? listeningUrl ?? `http://localhost:${DEFAULT_PORT}`;
  const issuer = () => `${baseUrl()}/${pool.id}`;

  const hasher = new PasswordHasher(options.passwordHashCost);
  const keys = await KeyStore.open(
    file('keys.json'),
    clock,
    Math.max(tokenTtl.accessSeconds, tokenTtl.idSeconds),
  );
  const users = await UserStore.open(file('users.json'));
  const refreshTokens = await RefreshTokenStore.open(
    file('refresh-tokens.json'),
    clock,
    tokenTtl.refreshSeconds,
  );
  const seeded = await seedDemoUsers(users, pool, hasher, clock);
  if (seeded > 0) logger.info({ users: seeded }, 'demo users created');

  let handlers: TriggerHandlers | undefined;
  // Built on first use: the M2M token URL is identity's own, known once it listens.
  const triggerHandlers = () =>
    (handlers ??= {
      ...createTriggerHandlers({
        allowedEmailDomains: options.allowedEmailDomains ?? [],
        userServiceUrl: options.userServiceUrl ?? DEFAULT_USER_SERVICE_URL,
        // Identity calls itself where it listens, whatever name it publishes.
        tokenUrl: `${listeningUrl ?? baseUrl()}/oauth2/token`,
        clientId: DEFAULT_PROVISIONER_CLIENT_ID,
        clientSecret: pool.client(DEFAULT_PROVISIONER_CLIENT_ID)?.clientSecret,
        scope: DEFAULT_PROVISIONER_SCOPE,
        timeoutMs: 5_000,
      }),
      ...options.triggerHandlers,
    });
  const triggers = new TriggerRunner(pool, triggerHandlers, logger);
  const outbox = new Outbox(clock, logger);
  const accounts = new Accounts({ pool, users, hasher, triggers, outbox, refreshTokens, clock });
  const context: IdentityContext = {
    pool,
    clock,
    logger,
    baseUrl,
    issuer,
    keys,
    users,
    accounts,
    userAdmin: new UserAdmin({ pool, users, accounts, hasher, triggers, outbox, clock }),
    refreshTokens,
    tokens: new TokenService({ keys, pool, refreshTokens, triggers, clock, ttl: tokenTtl, issuer, logger }),
    accessTokens: new AccessTokenVerifier(keys, users, refreshTokens, clock, issuer),
    authorizationCodes: new AuthorizationCodes(clock),
    outbox,
  };

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    forceCloseConnections: true,
    return503OnClosing: true,
    // Correlation ids end to end, as in every service: accepted or generated, logged, returned.
    requestIdHeader: false,
    genReqId: correlationIdOf,
    logController: new LogController({
      requestIdLogLabel: 'correlationId',
      // The launcher polls readiness several times a second while starting: not worth a line each.
      disableRequestLogging: (request) => request.url.startsWith('/health/'),
    }),
  });
  app.addHook('onRequest', async (request, reply) => {
    void reply.header(CORRELATION_ID_HEADER, request.id);
  });
  let ready = false;
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `No route for ${request.method} ${request.url}` }),
  );
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500)
      return reply.code(status).send({ message: (error as Error).message });
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ message: 'Internal error' });
  });
  await app.register(async (scope) => healthRoutes(scope, () => ready));
  await app.register(async (scope) => wellKnownRoutes(scope, context));
  await app.register(async (scope) => oauthRoutes(scope, context));
  await app.register(async (scope) => cognitoApiRoutes(scope, context));
  if (options.outbox ?? true) await app.register(async (scope) => outboxRoutes(scope, outbox));
  await app.ready();
  ready = true;

  return {
    app,
    context,
    async listen(listenOptions = {}) {
      const host = listenOptions.host ?? '127.0.0.1';
      await app.listen({ port: listenOptions.port ?? 0, host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : listenOptions.port;
      listeningUrl = `http://${publishedHost(host)}:${port}`;
      return listeningUrl;
    },
    close: () => app.close(),
    rotateKeys: () => keys.rotate(),
    get baseUrl() {
      return baseUrl();
    },
    get issuer() {
      return issuer();
    },
  };
}

/** Builds and listens (default 127.0.0.1 on a free port): what tests and end-to-end suites call. */
export async function startIdentityServer(
  options: IdentityServerOptions & { port?: number; host?: string },
): Promise<RunningIdentityServer> {
  const server = await buildIdentityServer(options);
  const url = await server.listen({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });
  const issuer = server.issuer;
  return {
    app: server.app,
    context: server.context,
    listen: server.listen,
    close: server.close,
    rotateKeys: server.rotateKeys,
    baseUrl: server.baseUrl,
    url,
    issuer,
    jwksUri: `${url}/${server.context.pool.id}/.well-known/jwks.json`,
    tokenUrl: `${url}/oauth2/token`,
  };
}

function publishedHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === 'localhost') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
