import type { Clock } from './clock.js';
import type { KeyStore } from './keys/key-store.js';
import type { Logger } from './logger.js';
import type { AuthorizationCodes } from './oauth/authorization-codes.js';
import type { Outbox } from './outbox/outbox.js';
import type { Pool } from './pool/pool.js';
import type { AccessTokenVerifier } from './tokens/access-token-verifier.js';
import type { RefreshTokenStore } from './tokens/refresh-token-store.js';
import type { TokenService } from './tokens/token-service.js';
import type { Accounts } from './users/accounts.js';
import type { UserAdmin } from './users/user-admin.js';
import type { UserStore } from './users/user-store.js';

/** Everything the routes use, built once by `buildIdentityServer`. */
export interface IdentityContext {
  pool: Pool;
  clock: Clock;
  logger: Logger;
  /** Scheme, host and port the OAuth endpoints are published under (no trailing slash). */
  baseUrl(): string;
  /** `<baseUrl>/<pool id>`: the `iss` of every token. */
  issuer(): string;
  keys: KeyStore;
  users: UserStore;
  accounts: Accounts;
  userAdmin: UserAdmin;
  refreshTokens: RefreshTokenStore;
  tokens: TokenService;
  accessTokens: AccessTokenVerifier;
  authorizationCodes: AuthorizationCodes;
  outbox: Outbox;
}
