import type { FastifyInstance } from 'fastify';
import type { IdentityContext } from '../context.js';
import { isCognitoError } from '../errors/cognito-error.js';
import { OAuthError } from '../errors/oauth-error.js';
import { authenticateClient, field, type FormBody } from './client-auth.js';
import { authorizationCodeGrant, clientCredentialsGrant, refreshTokenGrant } from './grants.js';

const GRANTS = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
} as const;

export const isFormRequest = (contentType: string | undefined): boolean =>
  (contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');

/** `POST /oauth2/token`, and `POST /oauth2/revoke` which authenticates clients the same way. */
export async function tokenRoutes(app: FastifyInstance, context: IdentityContext): Promise<void> {
  app.post('/oauth2/token', async (request, reply) => {
    const body = formBody(request.headers['content-type'], request.body);
    const grantType = field(body, 'grant_type');
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
    const client = authenticateClient(request, body, context.pool);
    if (!Object.hasOwn(GRANTS, grantType)) throw new OAuthError('unsupported_grant_type', grantType);
    let response;
    try {
      response = await GRANTS[grantType as keyof typeof GRANTS](context, client, body);
    } catch (error) {
      // A trigger's refusal (Pre token generation) surfaces as a refused request, not a server fault.
      if (isCognitoError(error)) throw new OAuthError('invalid_request', error.message);
      throw error;
    }
    request.log.info({ clientId: client.clientId, grantType }, 'tokens issued');
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(response);
  });

  app.post('/oauth2/revoke', async (request, reply) => {
    const body = formBody(request.headers['content-type'], request.body);
    const client = authenticateClient(request, body, context.pool);
    const token = field(body, 'token');
    if (!token) throw new OAuthError('invalid_request', 'token is required');
    // Only refresh tokens can be revoked; access and ID tokens are JWTs.
    if (token.split('.').length === 3)
      throw new OAuthError('unsupported_token_type', 'only refresh tokens are revocable');
    // RFC 7009: an unknown token is answered like a revoked one.
    const revoked = await context.sessions.revoke(token, client.clientId);
    if (!revoked.ok) throw new OAuthError('invalid_request', 'token issued to another client');
    if (revoked.session) {
      request.log.info({ clientId: client.clientId, sub: revoked.session.sub }, 'refresh token revoked');
    }
    return reply.code(200).send('');
  });
}

function formBody(contentType: string | undefined, body: unknown): FormBody {
  if (!isFormRequest(contentType)) {
    throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  return typeof body === 'object' && body !== null ? (body as FormBody) : {};
}
