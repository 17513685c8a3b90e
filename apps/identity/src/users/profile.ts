import type { AttemptLimiter } from '../auth/attempt-limiter.js';
import type { Clock } from '../clock.js';
import { CognitoError } from '../errors/cognito-error.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Pool } from '../pool/pool.js';
import type { RefreshTokenStore } from '../tokens/refresh-token-store.js';
import { readAttributes } from './attributes.js';
import { ATTRIBUTE_CODE_TTL_MS, checkCode, newCode } from './codes.js';
import type { UserStore } from './user-store.js';
import type { AttributeList, UserRecord } from './user.js';

export interface ProfileDependencies {
  pool: Pool;
  users: UserStore;
  outbox: Outbox;
  refreshTokens: RefreshTokenStore;
  clock: Clock;
  codeAttempts: AttemptLimiter;
}

/** Who may write: the user (`admin: false`, not `*_verified`) or an administrator. */
export interface Writer {
  admin: boolean;
}

/** The attributes that can be verified by a code: email only (no SMS here). */
const VERIFIABLE = new Set(['email']);

/** A user's attributes: changed, deleted, verified by code; and the user deleted. For users and admins alike. */
export class Profile {
  constructor(private readonly deps: ProfileDependencies) {}

  /**
   * Sets attributes. A new email is unverified until its code is confirmed (a code goes to it), unless an
   * administrator sets `email_verified` to true in the same call; in a pool that signs in by email it must
   * not be another user's. Returns where codes went.
   */
  async updateAttributes(user: UserRecord, list: AttributeList, writer: Writer): Promise<string[]> {
    const { pool, users, clock } = this.deps;
    const changes = readAttributes(list, pool, writer);
    const email = changes.email;
    const emailChanges = email !== undefined && email.toLowerCase() !== user.attributes.email?.toLowerCase();
    if (emailChanges && pool.emailIsUsername && users.isEmailTaken(email, user)) {
      throw new CognitoError('AliasExistsException', 'An account with the given email already exists.');
    }
    const sentTo: string[] = [];
    Object.assign(user.attributes, changes);
    if (emailChanges) {
      const verifiedByAdmin = writer.admin && changes.email_verified === 'true';
      user.attributes.email_verified = verifiedByAdmin ? 'true' : 'false';
      delete user.verifications?.email;
      if (!verifiedByAdmin && pool.definition.autoVerifiedAttributes.includes('email')) {
        sentTo.push(this.sendCode(user, 'email'));
      }
    }
    user.updatedAt = clock.now();
    await users.save();
    return sentTo;
  }

  async deleteAttributes(user: UserRecord, names: readonly string[]): Promise<void> {
    const { pool } = this.deps;
    for (const name of names) {
      if (name === 'sub')
        throw invalid('Attributes did not conform to the schema: sub: Attribute cannot be deleted.');
      if (!pool.isKnownAttribute(name))
        throw invalid(
          `Attributes did not conform to the schema: Type for attribute {${name}} could not be determined`,
        );
      if (pool.definition.requiredAttributes.includes(name))
        throw invalid(`Attributes did not conform to the schema: ${name}: The attribute is required`);
    }
    for (const name of names) {
      delete user.attributes[name];
      delete user.verifications?.[name];
      if (name === 'email') delete user.attributes.email_verified;
    }
    user.updatedAt = this.deps.clock.now();
    await this.deps.users.save();
  }

  /** GetUserAttributeVerificationCode: a code to the attribute's current value; returns where it went. */
  async sendVerificationCode(user: UserRecord, attribute: string): Promise<string> {
    if (!VERIFIABLE.has(attribute)) throw invalid(`Invalid attribute name: ${attribute} cannot be verified.`);
    if (!user.attributes[attribute]) throw invalid(`User does not have the attribute ${attribute}.`);
    const destination = this.sendCode(user, attribute);
    await this.deps.users.save();
    return destination;
  }

  /** VerifyUserAttribute: the right code marks the attribute verified. */
  async verifyAttribute(user: UserRecord, attribute: string, code: string): Promise<void> {
    if (!VERIFIABLE.has(attribute)) throw invalid(`Invalid attribute name: ${attribute} cannot be verified.`);
    const key = `verify-${attribute}:user:${user.sub}`;
    checkCode(this.deps.codeAttempts, key, user.verifications?.[attribute], code, this.deps.clock.now());
    delete user.verifications?.[attribute];
    user.attributes[`${attribute}_verified`] = 'true';
    user.updatedAt = this.deps.clock.now();
    await this.deps.users.save();
  }

  /** DeleteUser / AdminDeleteUser: the user goes, with every session (their tokens stop working). */
  async deleteUser(user: UserRecord): Promise<void> {
    await this.deps.refreshTokens.revokeAllOf(user.sub);
    await this.deps.users.remove(user);
  }

  private sendCode(user: UserRecord, attribute: string): string {
    const destination = user.attributes[attribute] ?? '';
    const pending = newCode(this.deps.clock, ATTRIBUTE_CODE_TTL_MS);
    user.verifications = { ...user.verifications, [attribute]: pending };
    this.deps.outbox.code('ATTRIBUTE_VERIFICATION', user, pending.code, destination);
    return destination;
  }
}

const invalid = (message: string) => new CognitoError('InvalidParameterException', message);
