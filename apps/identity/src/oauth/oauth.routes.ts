import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { IdentityContext } from '../context.js';
import { isOAuthError, OAuthError } from '../errors/oauth-error.js';
import { authorizeRoutes } from './authorize.routes.js';
import { logoutRoutes } from './logout.routes.js';
import { tokenRoutes } from './token.routes.js';
import { userInfoRoutes } from './userinfo.routes.js';

/** The endpoints of Cognito's user pool domain, with its error bodies: `{"error":"invalid_grant"}`. */
export async function oauthRoutes(app: FastifyInstance, context: IdentityContext): Promise<void> {
  await app.register(formbody);
  app.setErrorHandler((error, request, reply) => {
    let oauthError: OAuthError;
    if (isOAuthError(error)) {
      oauthError = error;
    } else {
      const status = (error as { statusCode?: number }).statusCode;
      if (!status || status >= 500) {
        request.log.error({ err: error }, 'OAuth endpoint failed');
        return reply.code(500).send({ error: 'server_error' });
      }
      oauthError = new OAuthError('invalid_request', (error as Error).message);
    }
    request.log.info({ error: oauthError.error, reason: oauthError.reason }, 'OAuth request refused');
    if (oauthError.error === 'invalid_token')
      reply.header('www-authenticate', `Bearer error="invalid_token"`);
    return reply.code(oauthError.statusCode).header('cache-control', 'no-store').send(oauthError.body());
  });
  await authorizeRoutes(app, context);
  await tokenRoutes(app, context);
  await userInfoRoutes(app, context);
  await logoutRoutes(app, context);
}
