import { randomBytes, randomUUID } from 'node:crypto';
import type { StringMap } from '@helpline/cognito-triggers';
import type { Clock } from '../clock.js';
import { CognitoError, userNotFound } from '../errors/cognito-error.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Pool } from '../pool/pool.js';
import type { TriggerRunner } from '../triggers/trigger-runner.js';
import type { Accounts } from './accounts.js';
import { assertRequiredAttributes, isEmail, readAttributes } from './attributes.js';
import type { PasswordHasher } from './password-hasher.js';
import { assertPasswordPolicy } from './password-policy.js';
import type { UserStore } from './user-store.js';
import type { AttributeList, UserRecord } from './user.js';

export interface UserAdminDependencies {
  pool: Pool;
  users: UserStore;
  accounts: Accounts;
  hasher: PasswordHasher;
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
    const user = this.deps.accounts.find(name);
    if (!user) throw userNotFound();
    return user;
  }

  async createUser(input: AdminCreateUserInput): Promise<UserRecord> {
    const { pool, users, clock, hasher } = this.deps;
    if (input.messageAction === 'RESEND') return this.resendInvitation(input.username);
    const attributes = readAttributes(input.attributes, pool, { admin: true });
    let username = input.username;
    if (pool.emailIsUsername) {
      if (!isEmail(input.username))
        throw new CognitoError('InvalidParameterException', 'Username should be an email.');
      attributes.email ??= input.username;
    }
    if (
      this.deps.accounts.find(input.username) ||
      (attributes.email && pool.emailIsUsername && users.byEmail(attributes.email))
    ) {
      throw new CognitoError('UsernameExistsException', 'User account already exists');
    }
    assertRequiredAttributes(attributes, pool);
    const policy = pool.definition.passwordPolicy;
    const temporaryPassword = input.temporaryPassword ?? generatePassword();
    assertPasswordPolicy(temporaryPassword, policy);

    const sub = randomUUID();
    if (pool.emailIsUsername) username = sub;
    const userAttributes = { sub, ...attributes };
    await this.deps.triggers.preSignUp('PreSignUp_AdminCreateUser', {
      userName: username,
      clientId: 'CLIENT_ID_NOT_APPLICABLE',
      userAttributes,
      ...(input.clientMetadata ? { clientMetadata: input.clientMetadata } : {}),
    });
    const now = clock.now();
    const user: UserRecord = {
      username,
      sub,
      passwordHash: await hasher.hash(temporaryPassword),
      status: 'FORCE_CHANGE_PASSWORD',
      enabled: true,
      attributes: userAttributes,
      groups: [],
      createdAt: now,
      updatedAt: now,
      temporaryPasswordExpiresAt: now + policy.temporaryPasswordValidityDays * 24 * 3600 * 1000,
    };
    await users.add(user);
    if (input.messageAction !== 'SUPPRESS') this.deps.outbox.invitation(user, temporaryPassword);
    return user;
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
    user.passwordHash = await this.deps.hasher.hash(password);
    const now = this.deps.clock.now();
    if (permanent) {
      user.status = 'CONFIRMED';
      delete user.temporaryPasswordExpiresAt;
    } else {
      user.status = 'FORCE_CHANGE_PASSWORD';
      user.temporaryPasswordExpiresAt = now + policy.temporaryPasswordValidityDays * 24 * 3600 * 1000;
    }
    user.updatedAt = now;
    await this.deps.users.save();
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

  private assertGroup(group: string): void {
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
