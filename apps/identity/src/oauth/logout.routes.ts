import type { FastifyInstance } from 'fastify';
import type { IdentityContext } from '../context.js';
import { renderErrorPage } from './login-page.js';

/**
 * `/logout?client_id=&logout_uri=`: back to one of the client's sign-out URLs. identity keeps no browser
 * session (every authorize shows the form), so there is nothing else to end.
 */
export async function logoutRoutes(app: FastifyInstance, context: IdentityContext): Promise<void> {
  app.get<{ Querystring: Record<string, string | undefined> }>('/logout', async (request, reply) => {
    const {
      client_id: clientId,
      logout_uri: logoutUri,
      redirect_uri: redirectUri,
      response_type,
    } = request.query;
    const client = context.pool.client(clientId);
    const fail = (message: string) =>
      reply.code(400).type('text/html; charset=utf-8').send(renderErrorPage('Sign-out error', message));
    if (!client) return fail('The client_id is missing or names no app client of this user pool.');
    reply.header('set-cookie', 'XSRF-TOKEN=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
    if (logoutUri !== undefined) {
      if (!client.logoutUrls.includes(logoutUri))
        return fail('redirect_mismatch: logout_uri is not a sign-out URL of this app client.');
      return reply.redirect(logoutUri, 302);
    }
    // Cognito's other form: sign out, then straight to the login page for the same client.
    if (redirectUri !== undefined && response_type !== undefined) {
      const login = new URLSearchParams(
        Object.entries(request.query).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      );
      return reply.redirect(`/login?${login.toString()}`, 302);
    }
    return fail('logout needs logout_uri, or redirect_uri with response_type.');
  });
}
