import { join } from 'node:path';
import {
  createTriggerHandlers,
  DEFAULT_PROVISIONER_CLIENT_ID,
  DEFAULT_PROVISIONER_SCOPE,
  type TriggerHandlers,
} from '@helpline/cognito-triggers';
import { AttemptLimiter } from './auth/attempt-limiter.js';
import { Decoys } from './auth/decoys.js';
import { Sessions } from './auth/sessions.js';
import { SignIn } from './auth/sign-in.js';
import { systemClock, type Clock } from './clock.js';
import { DEFAULT_TOKEN_TTL, DEFAULT_USER_SERVICE_URL, type LogLevel, type TokenTtl } from './config.js';
import type { IdentityContext } from './context.js';
import { KeyStore } from './keys/key-store.js';
import { createLogger, type Logger } from './logger.js';
import { AuthorizationCodes } from './oauth/authorization-codes.js';
import { Outbox } from './outbox/outbox.js';
import { defaultPoolFile, loadPoolFile, parsePoolDefinition } from './pool/load-pool.js';
import type { PoolDefinitionInput } from './pool/pool-definition.js';
import { openPoolState } from './pool/pool-state.js';
import { Pool } from './pool/pool.js';
import { JsonFile } from './storage/json-file.js';
import { AccessTokenVerifier } from './tokens/access-token-verifier.js';
import { RefreshTokenStore } from './tokens/refresh-token-store.js';
import { TokenService } from './tokens/token-service.js';
import { TriggerRunner } from './triggers/trigger-runner.js';
import { PublishedUrls } from './urls.js';
import { Accounts } from './users/accounts.js';
import { Credentials } from './users/credentials.js';
import { seedDemoUsers } from './users/demo-users.js';
import { Directory } from './users/directory.js';
import { PasswordHasher } from './users/password-hasher.js';
import { Passwords } from './users/passwords.js';
import { Profile } from './users/profile.js';
import { UserAdmin } from './users/user-admin.js';
import { UserStore } from './users/user-store.js';

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
  /** Create the pool definition's demo users in an empty store; main turns it off in production. Default true. */
  demoUsers?: boolean;
}

/** A composed identity: every object the routes use, and the URLs that become known once it listens. */
export interface Composition {
  context: IdentityContext;
  urls: PublishedUrls;
}

/**
 * The object graph of identity, in one place: the pool and its stores (loaded from the data dir), the
 * domain (sign-in, sessions, accounts, passwords, profiles, administration) and the token machinery.
 * Seeds the demo users into an empty store unless told not to.
 */
export async function composeIdentity(options: IdentityServerOptions): Promise<Composition> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(options.logLevel ?? 'silent');
  const tokenTtl: TokenTtl = { ...DEFAULT_TOKEN_TTL, ...options.tokenTtl };
  const pool = new Pool(
    options.pool
      ? parsePoolDefinition(options.pool)
      : await loadPoolFile(options.poolFile ?? defaultPoolFile()),
  );
  const urls = new PublishedUrls(options.issuerBaseUrl, pool.id);
  const file = <T>(name: string) => new JsonFile<T>(join(options.dataDir, name));

  // Stores.
  const poolState = await openPoolState(file('pool-state.json'), clock);
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

  // The pool's Lambda triggers, built on first use: the M2M token URL is identity's own, known once it listens.
  let handlers: TriggerHandlers | undefined;
  const triggerHandlers = () =>
    (handlers ??= {
      ...createTriggerHandlers({
        allowedEmailDomains: options.allowedEmailDomains ?? [],
        userServiceUrl: options.userServiceUrl ?? DEFAULT_USER_SERVICE_URL,
        tokenUrl: `${urls.selfUrl()}/oauth2/token`,
        clientId: DEFAULT_PROVISIONER_CLIENT_ID,
        clientSecret: pool.client(DEFAULT_PROVISIONER_CLIENT_ID)?.clientSecret,
        scope: DEFAULT_PROVISIONER_SCOPE,
        timeoutMs: 5_000,
      }),
      ...options.triggerHandlers,
    });
  const triggers = new TriggerRunner(pool, triggerHandlers, logger);
  const outbox = new Outbox(clock, logger);

  // The domain.
  const hasher = new PasswordHasher(options.passwordHashCost);
  const credentials = new Credentials(hasher, pool);
  const decoys = new Decoys(poolState.decoyKey, hasher);
  await decoys.passwordHash(); // made now, so that the first unknown name costs what every other does
  const directory = new Directory(users, pool);
  const passwordAttempts = new AttemptLimiter(clock);
  const codeAttempts = new AttemptLimiter(clock);
  const sessions = new Sessions(refreshTokens, users);
  const signIn = new SignIn({ pool, users, directory, credentials, decoys, passwordAttempts, clock });
  const accounts = new Accounts({
    pool,
    users,
    directory,
    credentials,
    triggers,
    outbox,
    clock,
    codeAttempts,
    decoys,
  });
  const passwords = new Passwords({
    pool,
    users,
    directory,
    credentials,
    triggers,
    outbox,
    clock,
    passwordAttempts,
    codeAttempts,
    decoys,
  });
  const profile = new Profile({ pool, users, outbox, refreshTokens, clock, codeAttempts });
  const userAdmin = new UserAdmin({
    pool,
    users,
    directory,
    accounts,
    credentials,
    passwords,
    profile,
    sessions,
    triggers,
    outbox,
    clock,
  });

  if (options.demoUsers ?? true) {
    const seeded = await seedDemoUsers(users, pool, credentials, clock);
    if (seeded > 0) logger.info({ users: seeded }, 'demo users created');
  }

  const { issuer, baseUrl } = urls;
  const context: IdentityContext = {
    pool,
    poolCreatedAt: poolState.createdAt,
    clock,
    logger,
    tokenTtl,
    baseUrl,
    issuer,
    keys,
    users,
    directory,
    signIn,
    sessions,
    accounts,
    passwords,
    profile,
    userAdmin,
    refreshTokens,
    tokens: new TokenService({ keys, pool, refreshTokens, triggers, clock, ttl: tokenTtl, issuer, logger }),
    accessTokens: new AccessTokenVerifier(keys, users, refreshTokens, clock, issuer),
    authorizationCodes: new AuthorizationCodes(clock),
    outbox,
    passwordAttempts,
    codeAttempts,
  };
  return { context, urls };
}
