import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { CognitoError, incorrectCredentials, passwordAttemptsExceeded } from '../errors/cognito-error.js';
import type { Pool } from '../pool/pool.js';
import type { Credentials } from '../users/credentials.js';
import type { Directory } from '../users/directory.js';
import type { UserStore } from '../users/user-store.js';
import type { UserRecord } from '../users/user.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import type { Decoys } from './decoys.js';
import {
  parseClientPublic,
  serverEphemeral,
  toHex,
  verifyPasswordClaim,
  type ServerEphemeral,
} from './srp.js';

/** A PASSWORD_VERIFIER challenge lives as long as Cognito's auth sessions: 3 minutes. */
const SRP_CHALLENGE_TTL_MS = 3 * 60 * 1000;
/** How far a claim's TIMESTAMP may be from identity's clock. */
const TIMESTAMP_SKEW_MS = 5 * 60 * 1000;
const MAX_PENDING_CHALLENGES = 10_000;

export interface SignInDependencies {
  pool: Pool;
  users: UserStore;
  directory: Directory;
  credentials: Credentials;
  decoys: Decoys;
  /** Lockout of wrong passwords, password and SRP sign-ins alike. */
  passwordAttempts: AttemptLimiter;
  clock: Clock;
}

/** What InitiateAuth answers to USER_SRP_AUTH: the PASSWORD_VERIFIER challenge's parameters. */
export interface SrpChallenge {
  salt: string;
  srpB: string;
  secretBlock: string;
  /** The Cognito username the client must hash (the `sub` in a pool that signs in by email). */
  userIdForSrp: string;
}

export interface PasswordClaimInput {
  clientId: string;
  /** ChallengeResponses.USERNAME: USER_ID_FOR_SRP, or another name of the same user. */
  username: string;
  secretBlock: string;
  timestamp: string;
  signature: string;
}

interface PendingSrp {
  clientId: string;
  /** The user's sub, or undefined for a name nobody has (the challenge is a stand-in). */
  sub: string | undefined;
  userIdForSrp: string;
  attemptKey: string;
  clientPublic: bigint;
  server: ServerEphemeral;
  verifier: bigint;
  expiresAt: number;
}

/**
 * Proving a password, by sending it (USER_PASSWORD_AUTH, the login page) or by SRP (USER_SRP_AUTH), with
 * Cognito's answers: one message for a wrong password and a user who does not exist — for whom the same
 * work is done (a password hash checked, an SRP exchange computed against a stand-in verifier) — then the
 * user's state (disabled, unconfirmed, reset required…) only to someone who proved the password. Failures
 * are counted per user (or per name nobody has) and lock it out as Cognito does.
 */
export class SignIn {
  private readonly pendingSrp = new Map<string, PendingSrp>();

  constructor(private readonly deps: SignInDependencies) {}

  async withPassword(name: string, password: string): Promise<UserRecord> {
    const { directory, credentials, decoys, passwordAttempts } = this.deps;
    const user = directory.find(name);
    const attempt = passwordAttempts.begin(directory.attemptKey(name, user));
    if (!attempt) throw passwordAttemptsExceeded();
    const hash = user?.passwordHash || (await decoys.passwordHash());
    const right = await credentials.verify(password, hash);
    if (!user || !right) {
      attempt.failed();
      throw incorrectCredentials();
    }
    attempt.succeeded();
    if (credentials.addVerifierIfMissing(user, password)) await this.deps.users.save();
    return this.admitted(user);
  }

  /** InitiateAuth USER_SRP_AUTH: B from the user's verifier (or a stand-in's), and a single-use SECRET_BLOCK. */
  startSrp(name: string, srpA: string, clientId: string): SrpChallenge {
    const { directory, decoys, pool, clock } = this.deps;
    const clientPublic = parseClientPublic(srpA);
    if (clientPublic === undefined) throw new CognitoError('InvalidParameterException', 'SRP_A is invalid.');
    const user = directory.find(name);
    const attemptKey = directory.attemptKey(name, user);
    if (this.deps.passwordAttempts.isLockedOut(attemptKey)) throw passwordAttemptsExceeded();
    const real = user?.srp;
    const verifier = real ? BigInt(`0x${real.verifier}`) : decoys.srpVerifier(name);
    const server = serverEphemeral(verifier);
    const userIdForSrp = user ? user.username : pool.emailIsUsername ? decoys.userId(name) : name;
    const secretBlock = randomBytes(64).toString('base64');
    this.remember(secretBlock, {
      clientId,
      sub: real ? user?.sub : undefined,
      userIdForSrp,
      attemptKey,
      clientPublic,
      server,
      verifier,
      expiresAt: clock.now() + SRP_CHALLENGE_TTL_MS,
    });
    return {
      salt: real ? real.salt : decoys.srpSalt(name),
      srpB: toHex(server.public),
      secretBlock,
      userIdForSrp,
    };
  }

  /** RespondToAuthChallenge PASSWORD_VERIFIER: the claim's signature proves the password, once. */
  async finishSrp(claim: PasswordClaimInput): Promise<UserRecord> {
    const timestamp = parseTimestamp(claim.timestamp);
    const pending = this.pendingSrp.get(claim.secretBlock);
    this.pendingSrp.delete(claim.secretBlock);
    const now = this.deps.clock.now();
    if (!pending || pending.expiresAt <= now || pending.clientId !== claim.clientId) {
      throw incorrectCredentials();
    }
    if (!this.namesSameUser(claim.username, pending)) throw incorrectCredentials();
    const attempt = this.deps.passwordAttempts.begin(pending.attemptKey);
    if (!attempt) throw passwordAttemptsExceeded();
    const proven = verifyPasswordClaim({
      poolName: this.deps.pool.srpPoolName,
      userId: pending.userIdForSrp,
      clientPublic: pending.clientPublic,
      server: pending.server,
      verifier: pending.verifier,
      secretBlock: claim.secretBlock,
      timestamp: claim.timestamp,
      signature: claim.signature,
    });
    const fresh =
      timestamp.canonical === claim.timestamp && Math.abs(timestamp.at - now) <= TIMESTAMP_SKEW_MS;
    const user = pending.sub ? this.deps.users.bySub(pending.sub) : undefined;
    if (!proven || !fresh || !user) {
      attempt.failed();
      throw incorrectCredentials();
    }
    attempt.succeeded();
    return this.admitted(user);
  }

  /** What a user who proved their password may still be refused for, in Cognito's order and words. */
  private admitted(user: UserRecord): UserRecord {
    if (!user.enabled) throw new CognitoError('NotAuthorizedException', 'User is disabled.');
    if (user.status === 'UNCONFIRMED')
      throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
    if (user.status === 'RESET_REQUIRED')
      throw new CognitoError('PasswordResetRequiredException', 'Password reset required for the user');
    if (
      user.status === 'FORCE_CHANGE_PASSWORD' &&
      (user.temporaryPasswordExpiresAt ?? Infinity) <= this.deps.clock.now()
    ) {
      throw new CognitoError(
        'NotAuthorizedException',
        'Temporary password has expired and must be reset by an administrator.',
      );
    }
    return user;
  }

  private namesSameUser(name: string, pending: PendingSrp): boolean {
    if (name.toLowerCase() === pending.userIdForSrp.toLowerCase()) return true;
    return pending.sub !== undefined && this.deps.directory.find(name)?.sub === pending.sub;
  }

  private remember(secretBlock: string, pending: PendingSrp): void {
    const now = this.deps.clock.now();
    if (this.pendingSrp.size >= MAX_PENDING_CHALLENGES) {
      for (const [key, entry] of this.pendingSrp) if (entry.expiresAt <= now) this.pendingSrp.delete(key);
      const oldest = this.pendingSrp.keys().next();
      if (this.pendingSrp.size >= MAX_PENDING_CHALLENGES && !oldest.done)
        this.pendingSrp.delete(oldest.value);
    }
    this.pendingSrp.set(secretBlock, pending);
  }
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TIMESTAMP = /^([A-Za-z]{3}) ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([A-Za-z]+) (\d{4})$/;

/** Cognito's TIMESTAMP, `EEE MMM d HH:mm:ss UTC yyyy` (e.g. `Tue Sep 5 07:03:09 UTC 2026`). */
export function formatTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/**
 * The instant a TIMESTAMP names and its canonical spelling. Not of the form at all is Cognito's
 * InvalidParameterException; a leading zero, a wrong weekday or another zone parse but are not canonical,
 * so the claim fails like a wrong password (the signature covers the string the client sent).
 */
function parseTimestamp(value: string): { at: number; canonical: string } {
  const match = TIMESTAMP.exec(value);
  const month = match ? MONTHS.indexOf(match[2] ?? '') : -1;
  if (!match || month < 0) {
    throw new CognitoError(
      'InvalidParameterException',
      'TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.',
    );
  }
  const [, , , day, hours, minutes, seconds, zone, year] = match;
  const at = Date.UTC(Number(year), month, Number(day), Number(hours), Number(minutes), Number(seconds));
  return { at, canonical: zone === 'UTC' ? formatTimestamp(at) : '' };
}
