import { OAuthError } from '../errors/oauth-error.js';
import type { AppClient } from '../pool/pool-definition.js';

/**
 * The scopes a request gets: those it asks for, each of which the client must be allowed (else
 * `invalid_scope`), or every allowed scope when it asks for none — Cognito's rule for both grants.
 */
export function grantedScopes(client: AppClient, requested: string | undefined): string[] {
  const asked = (requested ?? '').split(/\s+/).filter((scope) => scope.length > 0);
  if (asked.length === 0) return [...client.allowedOAuthScopes];
  const unknown = asked.filter((scope) => !client.allowedOAuthScopes.includes(scope));
  if (unknown.length > 0) {
    throw new OAuthError('invalid_scope', `client ${client.clientId} may not request ${unknown.join(' ')}`);
  }
  return [...new Set(asked)];
}
