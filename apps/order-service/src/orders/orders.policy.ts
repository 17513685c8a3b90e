import type { Principal } from '@helpline/auth';

/** Who may do what with orders, in one place: the controller's decorators cover the rest. */
export const ORDER_READ_SCOPE = 'service/order.read';

/** Admins, managers and services holding order.read see every order; anyone else only their own. */
export const canSeeEveryOrder = (p: Principal) =>
  p.roles.some((r) => r === 'admin' || r === 'manager') || p.scopes.includes(ORDER_READ_SCOPE);
