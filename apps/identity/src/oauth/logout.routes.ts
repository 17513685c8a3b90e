import type { FastifyInstance } from 'fastify';
import { compactVerify, decodeProtectedHeader } from 'jose';
import type { IdentityContext } from '../context.js';
import { renderErrorPage } from './login-page.js';

type LogoutQuery = Record<string, string | undefined>;

/**
 * `/logout` (the discovery document's `end_session_endpoint`), in its three forms:
 * - Cognito's `?client_id=&logout_uri=`: back to one of the client's sign-out URLs;
 * - Cognito's `?client_id=&redirect_uri=&response_type=`: straight on to the login page;
 * - OIDC RP-initiated logout, as openid-client's `buildEndSessionUrl` builds it:
 *   `?post_logout_redirect_uri=&id_token_hint=&state=` (`client_id` optional with a hint): back to the URL,
 *   which must be a sign-out URL of the client the ID token was issued to, with `state`.
 * identity keeps no browser session (every authorize shows the form), so there is nothing else to end.
 */
export async function logoutRoutes(app: FastifyInstance, context: IdentityContext): Promise<void> {
  app.get<{ Querystring: LogoutQuery }>('/logout', async (request, reply) => {
    const query = request.query;
    const fail = (message: string) =>
      reply.code(400).type('text/html; charset=utf-8').send(renderErrorPage('Sign-out error', message));
    let client = context.pool.client(query.client_id);
    if (query.id_token_hint !== undefined) {
      const audience = await idTokenAudience(context, query.id_token_hint);
      if (!audience) return fail('id_token_hint is not an ID token this user pool issued.');
      if (client && client.clientId !== audience)
        return fail('id_token_hint was issued to another app client than client_id.');
      client = context.pool.client(audience);
    }
    if (!client) return fail('The client_id is missing or names no app client of this user pool.');
    reply.header('set-cookie', 'XSRF-TOKEN=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');

    const signedOutTo = query.logout_uri ?? query.post_logout_redirect_uri;
    if (signedOutTo !== undefined) {
      if (!client.logoutUrls.includes(signedOutTo))
        return fail('redirect_mismatch: the sign-out URL is not one of this app client.');
      return reply.redirect(
        withState(signedOutTo, query.post_logout_redirect_uri ? query.state : undefined),
        302,
      );
    }
    // Cognito's other form: sign out, then straight to the login page for the same client.
    if (query.redirect_uri !== undefined && query.response_type !== undefined) {
      const login = new URLSearchParams(
        Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
      return reply.redirect(`/login?${login.toString()}`, 302);
    }
    return fail('logout needs logout_uri (or post_logout_redirect_uri), or redirect_uri with response_type.');
  });
}

/**
 * The client an ID token of this pool was issued to: its signature must verify with one of identity's ID
 * token keys and its issuer must be this pool. An expired token still names its client (OIDC allows an
 * expired hint).
 */
async function idTokenAudience(context: IdentityContext, token: string): Promise<string | undefined> {
  try {
    const { kid } = decodeProtectedHeader(token);
    const key = kid ? await context.keys.verificationKey(kid, 'id') : undefined;
    if (!key) return undefined;
    const { payload } = await compactVerify(token, key, { algorithms: ['RS256'] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
    if (claims.iss !== context.issuer() || claims.token_use !== 'id' || typeof claims.aud !== 'string')
      return undefined;
    return claims.aud;
  } catch {
    return undefined;
  }
}

function withState(url: string, state: string | undefined): string {
  if (state === undefined) return url;
  const target = new URL(url);
  target.searchParams.set('state', state);
  return target.toString();
}
