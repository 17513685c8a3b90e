import { randomBytes } from 'node:crypto';
import type { StringMap } from '@helpline/cognito-triggers';
import type { Sessions } from '../auth/sessions.js';
import type { Clock } from '../clock.js';
import { CognitoError, userNotFound } from '../errors/cognito-error.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Pool } from '../pool/pool.js';
import type { TriggerRunner } from '../triggers/trigger-runner.js';
import type { Accounts, CodeDestination } from './accounts.js';
import { assertRequiredAttributes, readAttributes } from './attributes.js';
import type { Credentials } from './credentials.js';
import type { Directory } from './directory.js';
import { assertPasswordPolicy } from './password-policy.js';
import type { Passwords } from './passwords.js';
import type { Profile } from './profile.js';
import type { UserStore } from './user-store.js';
import type { AttributeList, UserRecord } from './user.js';
import { reserveUsername } from './usernames.js';

export interface UserAdminDependencies {
  pool: Pool;
  users: UserStore;
  directory: Directory;
  accounts: Accounts;
  credentials: Credentials;
  passwords: Passwords;
  profile: Profile;
  sessions: Sessions;
  triggers: TriggerRunner;
  outbox: Outbox;
  clock: Clock;
}

export interface AdminCreateUserInput {
  username: string;
  attributes?: AttributeList;
  temporaryPassword?: string;
  messageAction?: 'RESEND' | 'SUPPRESS';
  clientMetadata?: StringMap;
}

/** The Admin* operations: what an administrator (with IAM credentials, on AWS) does to users and groups. */
export class UserAdmin {
  constructor(private readonly deps: UserAdminDependencies) {}

  /** The user, or Cognito's UserNotFoundException: Admin* operations do reveal existence. */
  get(name: string): UserRecord {
    const user = this.deps.directory.find(name);
    if (!user) throw userNotFound();
    return user;
  }

  async createUser(input: AdminCreateUserInput): Promise<UserRecord> {
    const { pool, users, clock } = this.deps;
    if (input.messageAction === 'RESEND') return this.resendInvitation(input.username);
    const attributes = readAttributes(input.attributes, pool, { admin: true });
    const reserved = reserveUsername(users, pool, input.username, attributes);
    if (!reserved.ok) {
      throw reserved.reason === 'not-an-email'
        ? new CognitoError('InvalidParameterException', 'Username should be an email.')
        : new CognitoError('UsernameExistsException', 'User account already exists');
    }
    const { reservation } = reserved;
    try {
      assertRequiredAttributes(reservation.attributes, pool);
      const policy = pool.definition.passwordPolicy;
      const temporaryPassword = input.temporaryPassword ?? generatePassword();
      assertPasswordPolicy(temporaryPassword, policy);
      const userAttributes = { sub: reservation.sub, ...reservation.attributes };
      await this.deps.triggers.preSignUp('PreSignUp_AdminCreateUser', {
        userName: reservation.username,
        clientId: 'CLIENT_ID_NOT_APPLICABLE',
        userAttributes,
        ...(input.clientMetadata ? { clientMetadata: input.clientMetadata } : {}),
      });
      const now = clock.now();
      const user: UserRecord = {
        username: reservation.username,
        sub: reservation.sub,
        passwordHash: '',
        status: 'FORCE_CHANGE_PASSWORD',
        enabled: true,
        attributes: userAttributes,
        groups: [],
        createdAt: now,
        updatedAt: now,
        temporaryPasswordExpiresAt: now + policy.temporaryPasswordValidityDays * 24 * 3600 * 1000,
      };
      await this.deps.credentials.set(user, temporaryPassword);
      await users.add(user);
      if (input.messageAction !== 'SUPPRESS') this.deps.outbox.invitation(user, temporaryPassword);
      return user;
    } finally {
      reservation.release();
    }
  }

  /** Confirms without a code, and runs Post confirmation as Cognito does for this operation. */
  async confirmSignUp(name: string, clientMetadata?: StringMap): Promise<void> {
    const user = this.get(name);
    if (user.status !== 'UNCONFIRMED') {
      throw new CognitoError(
        'NotAuthorizedException',
        `User cannot be confirmed. Current status is ${user.status}`,
      );
    }
    await this.deps.accounts.confirm(user);
    await this.deps.triggers.postConfirmation(user, 'CLIENT_ID_NOT_APPLICABLE', clientMetadata);
  }

  async setPassword(name: string, password: string, permanent: boolean): Promise<void> {
    const user = this.get(name);
    const policy = this.deps.pool.definition.passwordPolicy;
    assertPasswordPolicy(password, policy);
    await this.deps.credentials.set(user, password);
    const now = this.deps.clock.now();
    if (permanent) {
      user.status = 'CONFIRMED';
      delete user.temporaryPasswordExpiresAt;
    } else {
      user.status = 'FORCE_CHANGE_PASSWORD';
      user.temporaryPasswordExpiresAt = now + policy.temporaryPasswordValidityDays * 24 * 3600 * 1000;
    }
    delete user.passwordReset;
    user.updatedAt = now;
    await this.deps.users.save();
  }

  /**
   * AdminResetUserPassword: the password stops working (sign-in answers PasswordResetRequiredException)
   * and a reset code goes to the user's verified email, for ConfirmForgotPassword.
   */
  async resetPassword(name: string): Promise<CodeDestination> {
    const user = this.get(name);
    if (user.status === 'UNCONFIRMED') {
      throw new CognitoError('NotAuthorizedException', 'User password cannot be reset in the current state.');
    }
    const sent = await this.deps.passwords.sendResetCode(user);
    user.status = 'RESET_REQUIRED';
    delete user.temporaryPasswordExpiresAt;
    user.updatedAt = this.deps.clock.now();
    await this.deps.users.save();
    return sent;
  }

  /** AdminDisableUser: the user cannot sign in, and every session ends (their tokens stop working). */
  async disable(name: string): Promise<void> {
    const user = this.get(name);
    user.enabled = false;
    user.updatedAt = this.deps.clock.now();
    await this.deps.users.save();
    await this.deps.sessions.signOutEverywhere(user);
  }

  async enable(name: string): Promise<void> {
    const user = this.get(name);
    user.enabled = true;
    user.updatedAt = this.deps.clock.now();
    await this.deps.users.save();
  }

  async delete(name: string): Promise<void> {
    await this.deps.profile.deleteUser(this.get(name));
  }

  updateAttributes(name: string, attributes: AttributeList): Promise<string[]> {
    return this.deps.profile.updateAttributes(this.get(name), attributes, { admin: true });
  }

  deleteAttributes(name: string, names: readonly string[]): Promise<void> {
    return this.deps.profile.deleteAttributes(this.get(name), names);
  }

  async addToGroup(name: string, group: string): Promise<void> {
    const user = this.get(name);
    this.assertGroup(group);
    if (!user.groups.includes(group)) {
      user.groups.push(group);
      user.updatedAt = this.deps.clock.now();
      await this.deps.users.save();
    }
  }

  async removeFromGroup(name: string, group: string): Promise<void> {
    const user = this.get(name);
    this.assertGroup(group);
    if (user.groups.includes(group)) {
      user.groups = user.groups.filter((g) => g !== group);
      user.updatedAt = this.deps.clock.now();
      await this.deps.users.save();
    }
  }

  /** ListUsersInGroup: the group's members, oldest first. */
  membersOf(group: string): UserRecord[] {
    this.assertGroup(group);
    return this.deps.users
      .all()
      .filter((user) => user.groups.includes(group))
      .sort((a, b) => a.createdAt - b.createdAt || a.username.localeCompare(b.username));
  }

  assertGroup(group: string): void {
    if (!this.deps.pool.hasGroup(group))
      throw new CognitoError('ResourceNotFoundException', 'Group not found.');
  }

  private async resendInvitation(name: string): Promise<UserRecord> {
    const user = this.get(name);
    if (user.status !== 'FORCE_CHANGE_PASSWORD') {
      throw new CognitoError(
        'UnsupportedUserStateException',
        `Resend not possible. ${user.username} status is ${user.status}.`,
      );
    }
    const temporaryPassword = generatePassword();
    await this.setPassword(user.username, temporaryPassword, false);
    this.deps.outbox.invitation(user, temporaryPassword);
    return user;
  }
}

/** A temporary password that meets any policy this pool can have. */
function generatePassword(): string {
  return `${randomBytes(9).toString('base64url')}Aa1!`;
}
