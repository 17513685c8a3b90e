import type { User } from 'oidc-client-ts';
import { useAuth } from 'react-oidc-context';
import { clearCart } from '../cart/cart-storage';
import { logoutUrl } from './user-manager';
import { useConsole } from './console-context';

export type Group = 'admin' | 'manager' | 'user';

export interface Session {
  user: User;
  sub: string;
  email: string;
  groups: string[];
  /** admin or manager: every order, products and stock. */
  isStaff: boolean;
  isAdmin: boolean;
}

/** The signed-in person, from the ID token's claims; undefined when signed out or the tokens expired. */
export function useSession(): Session | undefined {
  const { user } = useAuth();
  if (!user || user.expired) return undefined;
  const claims = user.profile as Record<string, unknown>;
  const groups = Array.isArray(claims['cognito:groups'])
    ? (claims['cognito:groups'] as unknown[]).filter((g): g is string => typeof g === 'string')
    : [];
  return {
    user,
    sub: user.profile.sub,
    email: typeof claims.email === 'string' ? claims.email : '',
    groups,
    isStaff: groups.includes('admin') || groups.includes('manager'),
    isAdmin: groups.includes('admin'),
  };
}

export function hasGroup(session: Session | undefined, groups: readonly Group[]): boolean {
  return !!session && groups.some((group) => session.groups.includes(group));
}

/** Sends the person to the login page; a provider that cannot be reached shows its own page instead. */
export function useSignIn(): (returnTo?: string) => Promise<void> {
  const { userManager, reportIdentityProblem } = useConsole();
  return async (returnTo = '/products') => {
    try {
      await userManager.signinRedirect({ state: { returnTo } });
    } catch (error) {
      reportIdentityProblem(error);
    }
  };
}

const SIGNED_OUT_FLAG = 'helpline.signedOut';

/**
 * Signs out for good: the refresh token is revoked at the provider (so nothing can renew the
 * session), the tokens, cached data and cart are dropped here, and the provider's sign-out endpoint
 * brings the browser back to the start page. If the provider cannot be reached, the local part
 * still happens and the start page says so.
 */
export function useSignOut(): () => Promise<void> {
  const { userManager, config, queryClient } = useConsole();
  return async () => {
    let revoked = true;
    try {
      await userManager.revokeTokens(['refresh_token']);
    } catch {
      revoked = false;
    }
    await userManager.removeUser();
    queryClient.clear();
    clearCart();
    sessionStorage.setItem(SIGNED_OUT_FLAG, revoked ? 'provider' : 'local');
    window.location.assign(revoked ? logoutUrl(config) : '/');
  };
}

/** How the last sign-out ended, once: `provider`, `local` (the provider was unreachable) or undefined. */
export function takeSignedOutFlag(): string | undefined {
  const value = sessionStorage.getItem(SIGNED_OUT_FLAG) ?? undefined;
  sessionStorage.removeItem(SIGNED_OUT_FLAG);
  return value;
}
