import type { StringMap } from '@helpline/cognito-triggers';
import type { AttemptLimiter } from '../auth/attempt-limiter.js';
import type { Decoys } from '../auth/decoys.js';
import type { Clock } from '../clock.js';
import { CognitoError, incorrectCredentials } from '../errors/cognito-error.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Pool } from '../pool/pool.js';
import type { TriggerRunner } from '../triggers/trigger-runner.js';
import { simulatedEmail, type CodeDestination } from './accounts.js';
import { checkCode, newCode, PASSWORD_RESET_CODE_TTL_MS } from './codes.js';
import type { Credentials } from './credentials.js';
import type { Directory } from './directory.js';
import { assertPasswordPolicy } from './password-policy.js';
import type { UserStore } from './user-store.js';
import type { UserRecord } from './user.js';

export interface PasswordsDependencies {
  pool: Pool;
  users: UserStore;
  directory: Directory;
  credentials: Credentials;
  triggers: TriggerRunner;
  outbox: Outbox;
  clock: Clock;
  passwordAttempts: AttemptLimiter;
  codeAttempts: AttemptLimiter;
  decoys: Decoys;
}

/** A user's own password: a first one after an invitation, a change, a forgotten one reset by code. */
export class Passwords {
  constructor(private readonly deps: PasswordsDependencies) {}

  /** Answers NEW_PASSWORD_REQUIRED: the chosen password replaces the temporary one. */
  async completeNewPassword(user: UserRecord, password: string): Promise<void> {
    assertPasswordPolicy(password, this.deps.pool.definition.passwordPolicy);
    await this.deps.credentials.set(user, password);
    user.status = 'CONFIRMED';
    delete user.temporaryPasswordExpiresAt;
    user.updatedAt = this.deps.clock.now();
    await this.deps.users.save();
  }

  /** ChangePassword: the previous password must be right (wrong ones count towards the lockout). */
  async change(user: UserRecord, previous: string | undefined, proposed: string): Promise<void> {
    assertPasswordPolicy(proposed, this.deps.pool.definition.passwordPolicy);
    const attempt = this.deps.passwordAttempts.begin(this.deps.directory.attemptKey(user.username, user));
    if (!attempt) {
      throw new CognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
    }
    if (!previous || !(await this.deps.credentials.verify(previous, user.passwordHash))) {
      attempt.failed();
      throw incorrectCredentials();
    }
    attempt.succeeded();
    await this.deps.credentials.set(user, proposed);
    user.updatedAt = this.deps.clock.now();
    await this.deps.users.save();
  }

  /**
   * ForgotPassword: a code to the user's verified email. A name nobody has, or a disabled user, gets — always
   * the same for that name — either a simulated delivery or the answer of a user without a verified email.
   */
  async forgot(name: string): Promise<CodeDestination> {
    const user = this.deps.directory.find(name);
    if (!user || !user.enabled) {
      if (this.deps.decoys.choice('forgot-password', name)) throw noVerifiedContact();
      return { email: simulatedEmail(name) };
    }
    return this.sendResetCode(user);
  }

  /** The code, after which the user can choose a new password (also AdminResetUserPassword's). */
  async sendResetCode(user: UserRecord): Promise<CodeDestination> {
    const email = user.attributes.email;
    if (!email || user.attributes.email_verified !== 'true') throw noVerifiedContact();
    user.passwordReset = newCode(this.deps.clock, PASSWORD_RESET_CODE_TTL_MS);
    await this.deps.users.save();
    this.deps.outbox.code('PASSWORD_RESET', user, user.passwordReset.code);
    return { email };
  }

  /** ConfirmForgotPassword: the right code sets the new password and clears a required reset. */
  async confirmForgot(input: {
    clientId: string;
    username: string;
    code: string;
    password: string;
    clientMetadata?: StringMap;
  }): Promise<void> {
    const { directory, clock } = this.deps;
    assertPasswordPolicy(input.password, this.deps.pool.definition.passwordPolicy);
    const found = directory.find(input.username);
    const user = found?.enabled ? found : undefined;
    const key = `reset-password:${directory.attemptKey(input.username, found)}`;
    checkCode(this.deps.codeAttempts, key, user?.passwordReset, input.code, clock.now());
    if (!user) throw new Error('unreachable: a code matched for no user');
    await this.deps.credentials.set(user, input.password);
    delete user.passwordReset;
    if (user.status === 'RESET_REQUIRED' || user.status === 'FORCE_CHANGE_PASSWORD')
      user.status = 'CONFIRMED';
    delete user.temporaryPasswordExpiresAt;
    user.updatedAt = clock.now();
    await this.deps.users.save();
    await this.deps.triggers.postConfirmation(
      user,
      input.clientId,
      input.clientMetadata,
      'PostConfirmation_ConfirmForgotPassword',
    );
  }
}

const noVerifiedContact = () =>
  new CognitoError(
    'InvalidParameterException',
    'Cannot reset password for the user as there is no registered/verified email or phone_number',
  );
