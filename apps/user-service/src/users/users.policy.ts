import type { Principal } from '@helpline/auth';
import type { User } from './users.schema.js';

/** Who may do what with user records, in one place: the controller's decorators cover the rest. */
export const USER_READ_SCOPE = 'service/user.read';
export const USER_WRITE_SCOPE = 'service/user.write';

const hasRole = (p: Principal, ...roles: string[]) => p.roles.some((r) => roles.includes(r));
const hasScope = (p: Principal, scope: string) => p.scopes.includes(scope);

export const isSelf = (p: Principal, user: User) => !p.isService && p.sub === user.cognitoSub;

/** Reading any user: admins, managers, and services holding user.read. */
export const canReadAnyUser = (p: Principal) =>
  hasRole(p, 'admin', 'manager') || hasScope(p, USER_READ_SCOPE);

/** Changing email or status: admins and the provisioning service. Everyone may rename themself. */
export const canManageUsers = (p: Principal) => hasRole(p, 'admin') || hasScope(p, USER_WRITE_SCOPE);
