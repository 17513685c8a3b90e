/** A user of the pool, as persisted in `<data dir>/users.json`. */
export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';

export interface UserRecord {
  /** Cognito's username: the `sub` when the pool signs in by email, else the name chosen at sign-up. */
  username: string;
  sub: string;
  passwordHash: string;
  status: UserStatus;
  enabled: boolean;
  /** Cognito's attribute strings, `sub` included (`email_verified` is "true"/"false" as in the API). */
  attributes: Record<string, string>;
  groups: string[];
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  /** The pending sign-up code (what Cognito emails). */
  confirmation?: { code: string; expiresAt: number };
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
