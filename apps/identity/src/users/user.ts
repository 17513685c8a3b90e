import type { SrpVerifier } from '../auth/srp.js';

/** A user of the pool, as persisted in `<data dir>/users.json`. */
export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED';

/** A code Cognito would email (sign-up, password reset, attribute verification). */
export interface PendingCode {
  code: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface UserRecord {
  /** Cognito's username: the `sub` when the pool signs in by email, else the name chosen at sign-up. */
  username: string;
  sub: string;
  /** scrypt of the password (see PasswordHasher). */
  passwordHash: string;
  /**
   * SRP salt and verifier of the password (USER_SRP_AUTH), set with the hash. Absent only on records written
   * before identity spoke SRP; the next password sign-in (or password change) adds it.
   */
  srp?: SrpVerifier;
  status: UserStatus;
  enabled: boolean;
  /** Cognito's attribute strings, `sub` included (`email_verified` is "true"/"false" as in the API). */
  attributes: Record<string, string>;
  groups: string[];
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  /** The pending sign-up code (what Cognito emails). */
  confirmation?: PendingCode;
  /** The pending ForgotPassword / AdminResetUserPassword code. */
  passwordReset?: PendingCode;
  /** Pending attribute verification codes (GetUserAttributeVerificationCode, email changes), by attribute. */
  verifications?: Record<string, PendingCode>;
  /** When a FORCE_CHANGE_PASSWORD user's temporary password stops working (epoch ms). */
  temporaryPasswordExpiresAt?: number;
}

export type AttributeList = { Name: string; Value: string }[];

export const toAttributeList = (attributes: Record<string, string>): AttributeList =>
  Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));

/** The user as AdminGetUser/ListUsers/AdminCreateUser describe it (dates as epoch seconds, as the SDK expects). */
export function describeUser(user: UserRecord, attributesKey: 'Attributes' | 'UserAttributes') {
  return {
    Username: user.username,
    [attributesKey]: toAttributeList(user.attributes),
    UserCreateDate: user.createdAt / 1000,
    UserLastModifiedDate: user.updatedAt / 1000,
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

/** `a***@e***` as Cognito shows a code's destination. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
}

/** Cognito's CodeDeliveryDetails for a code sent by email. */
export const emailDelivery = (email: string, attributeName = 'email') => ({
  Destination: maskEmail(email),
  DeliveryMedium: 'EMAIL',
  AttributeName: attributeName,
});
