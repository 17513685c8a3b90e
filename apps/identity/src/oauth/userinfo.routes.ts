import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityContext } from '../context.js';
import { OAuthError } from '../errors/oauth-error.js';
import type { UserRecord } from '../users/user.js';

// Cognito's description for any unusable token.
const UNUSABLE = 'Access token is expired, disabled, or deleted, or the user has globally signed out.';

/**
 * `/oauth2/userInfo`: for an access token with the `openid` scope, the user's attributes the app client may
 * read (strings, as Cognito's) — every attribute, since the clients here do not restrict ReadAttributes —
 * and `username`.
 */
export async function userInfoRoutes(app: FastifyInstance, context: IdentityContext): Promise<void> {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) throw unauthorized('Access token is missing');
    const check = await context.accessTokens.verify(match[1]);
    if (!check.ok) throw unauthorized(UNUSABLE);
    const scopes = new Set((check.claims.scope ?? '').split(' '));
    if (!scopes.has('openid')) throw unauthorized('Access token does not contain openid scope');
    return reply.header('cache-control', 'no-store').send(userInfo(check.user));
  };
  app.get('/oauth2/userInfo', handler);
  app.post('/oauth2/userInfo', handler);
}

function userInfo(user: UserRecord): Record<string, string> {
  return { sub: user.sub, ...user.attributes, username: user.username };
}

const unauthorized = (description: string) => new OAuthError('invalid_token', description, true);
