import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityContext } from '../context.js';
import { OAuthError } from '../errors/oauth-error.js';
import type { UserRecord } from '../users/user.js';

// Cognito's description for any unusable token.
const UNUSABLE = 'Access token is expired, disabled, or deleted, or the user has globally signed out.';
const EMAIL_CLAIMS = new Set(['email', 'email_verified']);
const PHONE_CLAIMS = new Set(['phone_number', 'phone_number_verified']);

/** `/oauth2/userInfo`: the user's attributes that the access token's scopes cover (strings, as Cognito's). */
export async function userInfoRoutes(app: FastifyInstance, context: IdentityContext): Promise<void> {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) throw unauthorized('Access token is missing');
    const check = await context.accessTokens.verify(match[1]);
    if (!check.ok) throw unauthorized(UNUSABLE);
    const scopes = new Set((check.claims.scope ?? '').split(' '));
    if (!scopes.has('openid')) throw unauthorized('Access token does not contain openid scope');
    return reply.header('cache-control', 'no-store').send(userInfo(check.user, scopes));
  };
  app.get('/oauth2/userInfo', handler);
  app.post('/oauth2/userInfo', handler);
}

function userInfo(user: UserRecord, scopes: ReadonlySet<string>): Record<string, string> {
  const all = scopes.has('aws.cognito.signin.user.admin') || scopes.has('profile');
  const info: Record<string, string> = { sub: user.sub };
  for (const [name, value] of Object.entries(user.attributes)) {
    if (
      all ||
      (scopes.has('email') && EMAIL_CLAIMS.has(name)) ||
      (scopes.has('phone') && PHONE_CLAIMS.has(name))
    ) {
      info[name] = value;
    }
  }
  return { ...info, username: user.username };
}

const unauthorized = (description: string) => new OAuthError('invalid_token', description, true);
