import type { StringMap } from '@helpline/cognito-triggers';
import type { AttemptLimiter } from '../auth/attempt-limiter.js';
import type { Decoys } from '../auth/decoys.js';
import type { Clock } from '../clock.js';
import { CognitoError } from '../errors/cognito-error.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Pool } from '../pool/pool.js';
import type { TriggerRunner } from '../triggers/trigger-runner.js';
import { assertRequiredAttributes, isEmail, readAttributes } from './attributes.js';
import { checkCode, newCode, SIGN_UP_CODE_TTL_MS } from './codes.js';
import type { Credentials } from './credentials.js';
import type { Directory } from './directory.js';
import { assertPasswordPolicy } from './password-policy.js';
import type { UserStore } from './user-store.js';
import { type AttributeList, type UserRecord } from './user.js';
import { reserveUsername } from './usernames.js';

export interface AccountsDependencies {
  pool: Pool;
  users: UserStore;
  directory: Directory;
  credentials: Credentials;
  triggers: TriggerRunner;
  outbox: Outbox;
  clock: Clock;
  /** Lockout of wrong codes (shared by every code operation). */
  codeAttempts: AttemptLimiter;
  decoys: Decoys;
}

export interface SignUpInput {
  clientId: string;
  username: string;
  password: string;
  attributes?: AttributeList;
  validationData?: AttributeList;
  clientMetadata?: StringMap;
}

/** Where a code went: the address Cognito masks in CodeDeliveryDetails (simulated for a name nobody has). */
export interface CodeDestination {
  email: string;
}

/** Sign-up, its confirmation and the code's resending: how users come to exist. */
export class Accounts {
  constructor(private readonly deps: AccountsDependencies) {}

  async signUp(input: SignUpInput): Promise<UserRecord> {
    const { pool, users, clock } = this.deps;
    const attributes = readAttributes(input.attributes, pool, { admin: false });
    const reserved = reserveUsername(users, pool, input.username, attributes);
    if (!reserved.ok) {
      if (reserved.reason === 'not-an-email')
        throw new CognitoError('InvalidParameterException', 'Username should be an email.');
      throw new CognitoError(
        'UsernameExistsException',
        pool.emailIsUsername ? 'An account with the given email already exists.' : 'User already exists',
      );
    }
    const { reservation } = reserved;
    try {
      assertRequiredAttributes(reservation.attributes, pool);
      assertPasswordPolicy(input.password, pool.definition.passwordPolicy);
      const userAttributes = { sub: reservation.sub, ...reservation.attributes, email_verified: 'false' };
      const response = await this.deps.triggers.preSignUp('PreSignUp_SignUp', {
        userName: reservation.username,
        clientId: input.clientId,
        userAttributes,
        ...(input.validationData ? { validationData: toMap(input.validationData) } : {}),
        ...(input.clientMetadata ? { clientMetadata: input.clientMetadata } : {}),
      });
      const now = clock.now();
      const user: UserRecord = {
        username: reservation.username,
        sub: reservation.sub,
        passwordHash: '',
        status: response?.autoConfirmUser ? 'CONFIRMED' : 'UNCONFIRMED',
        enabled: true,
        attributes: { ...userAttributes, ...(response?.autoVerifyEmail ? { email_verified: 'true' } : {}) },
        groups: [],
        createdAt: now,
        updatedAt: now,
      };
      await this.deps.credentials.set(user, input.password);
      if (user.status === 'UNCONFIRMED') user.confirmation = newCode(clock, SIGN_UP_CODE_TTL_MS);
      await users.add(user);
      if (user.confirmation) this.deps.outbox.code('SIGN_UP_CONFIRMATION', user, user.confirmation.code);
      return user;
    } finally {
      reservation.release();
    }
  }

  async confirmSignUp(input: {
    clientId: string;
    username: string;
    code: string;
    clientMetadata?: StringMap;
  }) {
    const { directory, clock } = this.deps;
    const user = directory.find(input.username);
    if (user && user.status !== 'UNCONFIRMED') {
      throw new CognitoError(
        'NotAuthorizedException',
        `User cannot be confirmed. Current status is ${user.status}`,
      );
    }
    // A name nobody has gets the wrong-code answer, and its wrong codes are counted like a user's.
    const key = `confirm-sign-up:${directory.attemptKey(input.username, user)}`;
    checkCode(this.deps.codeAttempts, key, user?.confirmation, input.code, clock.now());
    if (!user) throw new Error('unreachable: a code matched for no user');
    await this.confirm(user);
    await this.deps.triggers.postConfirmation(user, input.clientId, input.clientMetadata);
  }

  /**
   * A new sign-up code. A name nobody has (or a disabled user) gets, always the same for that name, either
   * a simulated delivery or the answer a confirmed user gets — so neither answer tells who exists.
   */
  async resendConfirmationCode(name: string): Promise<CodeDestination> {
    const user = this.deps.directory.find(name);
    if (!user || !user.enabled) {
      if (this.deps.decoys.choice('resend-confirmation', name)) throw alreadyConfirmed();
      return { email: simulatedEmail(name) };
    }
    if (user.status !== 'UNCONFIRMED') throw alreadyConfirmed();
    user.confirmation = newCode(this.deps.clock, SIGN_UP_CODE_TTL_MS);
    await this.deps.users.save();
    this.deps.outbox.code('SIGN_UP_CONFIRMATION', user, user.confirmation.code);
    return { email: user.attributes.email ?? simulatedEmail(name) };
  }

  /** Marks the user confirmed, the email verified (the code proved it), and saves. */
  async confirm(user: UserRecord): Promise<void> {
    user.status = 'CONFIRMED';
    delete user.confirmation;
    if (this.deps.pool.definition.autoVerifiedAttributes.includes('email') && user.attributes.email) {
      user.attributes.email_verified = 'true';
    }
    user.updatedAt = this.deps.clock.now();
    await this.deps.users.save();
  }
}

const alreadyConfirmed = () => new CognitoError('InvalidParameterException', 'User is already confirmed.');

/** Where a simulated code "goes": the name itself when it is an email (as in this pool), else a placeholder. */
export const simulatedEmail = (name: string): string => (isEmail(name) ? name : `${name}@unknown.invalid`);

const toMap = (list: AttributeList): StringMap =>
  Object.fromEntries(list.map(({ Name, Value }) => [Name, Value]));
