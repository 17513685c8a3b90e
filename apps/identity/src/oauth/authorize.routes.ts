import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityContext } from '../context.js';
import { isCognitoError } from '../errors/cognito-error.js';
import { checkAuthorizeRequest, type AuthorizeRequest } from './authorize-request.js';
import { renderErrorPage, renderLoginForm } from './login-page.js';

// The names Cognito's hosted UI uses for its CSRF cookie and form field (double-submit).
const CSRF_COOKIE = 'XSRF-TOKEN';
const CSRF_FIELD = '_csrf';
const HTML = 'text/html; charset=utf-8';

type Input = Record<string, unknown>;

/**
 * `/oauth2/authorize` and the login page (`/login`): checks the request, shows the form, and on a right
 * password redirects to the callback with a one-time code and the caller's `state`.
 */
export async function authorizeRoutes(app: FastifyInstance, context: IdentityContext): Promise<void> {
  const showForm = async (request: FastifyRequest<{ Querystring: Input }>, reply: FastifyReply) => {
    const check = checkAuthorizeRequest(request.query, context.pool);
    if (!check.ok)
      return 'page' in check ? sendPage(reply, 400, check.page) : reply.redirect(check.redirect, 302);
    const csrfToken = randomBytes(24).toString('base64url');
    reply.header('set-cookie', `${CSRF_COOKIE}=${csrfToken}; Path=/; HttpOnly; SameSite=Lax`);
    return sendForm(reply, 200, check.request, csrfToken);
  };

  const signIn = async (request: FastifyRequest<{ Body: Input }>, reply: FastifyReply) => {
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const check = checkAuthorizeRequest(body, context.pool);
    if (!check.ok)
      return 'page' in check ? sendPage(reply, 400, check.page) : reply.redirect(check.redirect, 302);
    const csrf = readCookie(request.headers.cookie, CSRF_COOKIE);
    if (!csrf || !same(csrf, String(body[CSRF_FIELD] ?? ''))) {
      return sendPage(
        reply,
        403,
        'The sign-in form has expired or did not come from this page. Go back and try again.',
      );
    }
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const retry = (message: string, status = 401) =>
      sendForm(reply, status, check.request, csrf, { username, error: message });
    if (!username || !password) return retry('Enter your email and password.', 400);

    let user;
    try {
      user = await context.signIn.withPassword(username, password);
    } catch (error) {
      if (isCognitoError(error)) return retry(error.message);
      throw error;
    }
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      return retry(
        'This account has a temporary password. Set a new one (RespondToAuthChallenge or AdminSetUserPassword) first.',
      );
    }
    const { request: authorize } = check;
    const code = context.authorizationCodes.issue({
      clientId: authorize.client.clientId,
      redirectUri: authorize.redirectUri,
      sub: user.sub,
      scopes: authorize.scopes,
      ...(authorize.codeChallenge ? { codeChallenge: authorize.codeChallenge } : {}),
      ...(authorize.nonce ? { nonce: authorize.nonce } : {}),
    });
    const callback = new URL(authorize.redirectUri);
    callback.searchParams.set('code', code);
    if (authorize.state !== undefined) callback.searchParams.set('state', authorize.state);
    request.log.info(
      { clientId: authorize.client.clientId, sub: user.sub },
      'signed in through the login page',
    );
    return reply.redirect(callback.toString(), 302);
  };

  app.get('/oauth2/authorize', showForm);
  app.get('/login', showForm);
  app.post('/login', signIn);
  app.post('/oauth2/authorize', signIn);
}

function sendForm(
  reply: FastifyReply,
  status: number,
  request: AuthorizeRequest,
  csrfToken: string,
  extra: { username?: string; error?: string } = {},
) {
  const html = renderLoginForm({
    params: request.params,
    csrfToken,
    clientName: request.client.clientName || request.client.clientId,
    ...extra,
  });
  return reply.code(status).header('cache-control', 'no-store').type(HTML).send(html);
}

function sendPage(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).type(HTML).send(renderErrorPage('Sign-in error', message));
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
