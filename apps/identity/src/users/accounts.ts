import { randomInt, randomUUID } from 'node:crypto';
import type { StringMap } from '@helpline/cognito-triggers';
import type { Clock } from '../clock.js';
import { CognitoError, incorrectCredentials } from '../errors/cognito-error.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Pool } from '../pool/pool.js';
import type { RefreshTokenStore } from '../tokens/refresh-token-store.js';
import type { TriggerRunner } from '../triggers/trigger-runner.js';
import { assertRequiredAttributes, isEmail, readAttributes } from './attributes.js';
import type { PasswordHasher } from './password-hasher.js';
import { assertPasswordPolicy } from './password-policy.js';
import type { UserStore } from './user-store.js';
import { type AttributeList, type UserRecord } from './user.js';

/** Cognito's sign-up codes live 24 hours. */
const CONFIRMATION_CODE_TTL_MS = 24 * 3600 * 1000;

export interface AccountsDependencies {
  pool: Pool;
  users: UserStore;
  hasher: PasswordHasher;
  triggers: TriggerRunner;
  outbox: Outbox;
  refreshTokens: RefreshTokenStore;
  clock: Clock;
}

export interface SignUpInput {
  clientId: string;
  username: string;
  password: string;
  attributes?: AttributeList;
  validationData?: AttributeList;
  clientMetadata?: StringMap;
}

/** What users do for themselves: sign up, confirm, sign in, choose a new password, sign out everywhere. */
export class Accounts {
  constructor(private readonly deps: AccountsDependencies) {}

  /** A user by the name they sign in with: the username, or the email when the pool signs in by email. */
  find(name: string): UserRecord | undefined {
    const { users, pool } = this.deps;
    return users.byName(name) ?? (pool.emailIsUsername ? users.byEmail(name) : undefined);
  }

  async signUp(input: SignUpInput): Promise<UserRecord> {
    const { pool, users, clock } = this.deps;
    const attributes = readAttributes(input.attributes, pool, { admin: false });
    let username = input.username;
    if (pool.emailIsUsername) {
      if (!isEmail(input.username))
        throw new CognitoError('InvalidParameterException', 'Username should be an email.');
      attributes.email ??= input.username;
      if (users.byEmail(attributes.email) || users.byEmail(input.username)) {
        throw new CognitoError('UsernameExistsException', 'An account with the given email already exists.');
      }
    } else if (users.byName(username)) {
      throw new CognitoError('UsernameExistsException', 'User already exists');
    }
    assertRequiredAttributes(attributes, pool);
    assertPasswordPolicy(input.password, pool.definition.passwordPolicy);

    const sub = randomUUID();
    if (pool.emailIsUsername) username = sub;
    const userAttributes = { sub, ...attributes, email_verified: 'false' };
    const response = await this.deps.triggers.preSignUp('PreSignUp_SignUp', {
      userName: username,
      clientId: input.clientId,
      userAttributes,
      ...(input.validationData ? { validationData: toMap(input.validationData) } : {}),
      ...(input.clientMetadata ? { clientMetadata: input.clientMetadata } : {}),
    });
    const now = clock.now();
    const user: UserRecord = {
      username,
      sub,
      passwordHash: await this.deps.hasher.hash(input.password),
      status: response?.autoConfirmUser ? 'CONFIRMED' : 'UNCONFIRMED',
      enabled: true,
      attributes: { ...userAttributes, ...(response?.autoVerifyEmail ? { email_verified: 'true' } : {}) },
      groups: [],
      createdAt: now,
      updatedAt: now,
    };
    if (user.status === 'UNCONFIRMED') user.confirmation = this.newCode();
    await users.add(user);
    if (user.confirmation) this.deps.outbox.confirmationCode(user, user.confirmation.code);
    return user;
  }

  async confirmSignUp(input: {
    clientId: string;
    username: string;
    code: string;
    clientMetadata?: StringMap;
  }) {
    const user = this.find(input.username);
    // An unknown user gets the wrong-code answer: confirming must not reveal who has an account.
    if (!user) throw codeMismatch();
    if (user.status !== 'UNCONFIRMED') {
      throw new CognitoError(
        'NotAuthorizedException',
        `User cannot be confirmed. Current status is ${user.status}`,
      );
    }
    if (!user.confirmation || user.confirmation.code !== input.code) throw codeMismatch();
    if (user.confirmation.expiresAt <= this.deps.clock.now()) {
      throw new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
    }
    await this.confirm(user);
    await this.deps.triggers.postConfirmation(user, input.clientId, input.clientMetadata);
  }

  async resendConfirmationCode(username: string): Promise<UserRecord> {
    const user = this.find(username);
    if (!user) throw new CognitoError('UserNotFoundException', 'Username/client id combination not found.');
    if (user.status !== 'UNCONFIRMED')
      throw new CognitoError('InvalidParameterException', 'User is already confirmed.');
    user.confirmation = this.newCode();
    await this.deps.users.save();
    this.deps.outbox.confirmationCode(user, user.confirmation.code);
    return user;
  }

  /**
   * Checks a password sign-in with Cognito's answers: one message for an unknown user and a wrong password,
   * and "not confirmed" only to someone who knows the password. A FORCE_CHANGE_PASSWORD user is returned
   * as such: the caller answers with the NEW_PASSWORD_REQUIRED challenge.
   */
  async authenticate(name: string, password: string): Promise<UserRecord> {
    const user = this.find(name);
    if (!user || !(await this.deps.hasher.verify(password, user.passwordHash))) throw incorrectCredentials();
    if (!user.enabled) throw new CognitoError('NotAuthorizedException', 'User is disabled.');
    if (user.status === 'UNCONFIRMED')
      throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
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

  /** Answers NEW_PASSWORD_REQUIRED: the chosen password replaces the temporary one. */
  async completeNewPassword(user: UserRecord, password: string): Promise<void> {
    assertPasswordPolicy(password, this.deps.pool.definition.passwordPolicy);
    user.passwordHash = await this.deps.hasher.hash(password);
    user.status = 'CONFIRMED';
    delete user.temporaryPasswordExpiresAt;
    user.updatedAt = this.deps.clock.now();
    await this.deps.users.save();
  }

  /** GlobalSignOut: ends every session of the user, which also revokes their access tokens. */
  globalSignOut(user: UserRecord): Promise<number> {
    return this.deps.refreshTokens.revokeAllOf(user.sub);
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

  private newCode() {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    return { code, expiresAt: this.deps.clock.now() + CONFIRMATION_CODE_TTL_MS };
  }
}

const codeMismatch = () =>
  new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');

const toMap = (list: AttributeList): StringMap =>
  Object.fromEntries(list.map(({ Name, Value }) => [Name, Value]));
