import type { AttemptLimiter } from './auth/attempt-limiter.js';
import type { Sessions } from './auth/sessions.js';
import type { SignIn } from './auth/sign-in.js';
import type { Clock } from './clock.js';
import type { TokenTtl } from './config.js';
import type { KeyStore } from './keys/key-store.js';
import type { Logger } from './logger.js';
import type { AuthorizationCodes } from './oauth/authorization-codes.js';
import type { Outbox } from './outbox/outbox.js';
import type { Pool } from './pool/pool.js';
import type { AccessTokenVerifier } from './tokens/access-token-verifier.js';
import type { RefreshTokenStore } from './tokens/refresh-token-store.js';
import type { TokenService } from './tokens/token-service.js';
import type { Accounts } from './users/accounts.js';
import type { Directory } from './users/directory.js';
import type { Passwords } from './users/passwords.js';
import type { Profile } from './users/profile.js';
import type { UserAdmin } from './users/user-admin.js';
import type { UserStore } from './users/user-store.js';

/** Everything the routes use, built once by `composeIdentity` (composition.ts). */
export interface IdentityContext {
  pool: Pool;
  /** Epoch ms of the pool's creation (its first start with this data dir). */
  poolCreatedAt: number;
  clock: Clock;
  logger: Logger;
  /** Token lifetimes (one for every app client here). */
  tokenTtl: TokenTtl;
  /** Scheme, host and port the OAuth endpoints are published under (no trailing slash). */
  baseUrl(): string;
  /** `<baseUrl>/<pool id>`: the `iss` of every token. */
  issuer(): string;
  keys: KeyStore;
  users: UserStore;
  directory: Directory;
  signIn: SignIn;
  sessions: Sessions;
  accounts: Accounts;
  passwords: Passwords;
  profile: Profile;
  userAdmin: UserAdmin;
  refreshTokens: RefreshTokenStore;
  tokens: TokenService;
  accessTokens: AccessTokenVerifier;
  authorizationCodes: AuthorizationCodes;
  outbox: Outbox;
  /** The lockouts: wrong passwords (sign-ins, ChangePassword) and wrong codes. */
  passwordAttempts: AttemptLimiter;
  codeAttempts: AttemptLimiter;
}
