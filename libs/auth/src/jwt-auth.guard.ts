import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC_KEY, ROLES_KEY, SCOPES_KEY } from './auth.constants.js';
import { AUTH_ERROR_CODES, AuthError } from './auth-error.js';
import { JwtVerificationService } from './jwt-verification.service.js';
import { Principal } from './principal.js';

interface HttpRequestLike {
  headers?: Record<string, string | string[] | undefined>;
  user?: unknown;
}

interface HttpResponseLike {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
}

// RFC 6750 §2.1: case-insensitive scheme, spaces, then the token (which has none inside it).
const BEARER = /^Bearer +([^\s]+) *$/i;

/**
 * Registered as APP_GUARD by AuthModule: every route needs a valid bearer token unless it is
 * @Public; @Roles / @Scopes then narrow who may call it (handler metadata wins over the class).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: JwtVerificationService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequestLike>();
    try {
      const principal = await this.verifier.verify(bearerToken(request));
      request.user = principal;
      authorize(
        principal,
        this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, targets),
        this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, targets),
      );
      return true;
    } catch (error) {
      const authError =
        error instanceof AuthError
          ? error
          : new AuthError(AUTH_ERROR_CODES.TOKEN_INVALID, 'Token is invalid', { cause: error });
      const response = http.getResponse<HttpResponseLike>();
      setChallenge(response, authError);
      // Set here as well as by @helpline/common's problem filter, so that it reaches the client
      // whatever exception filter the app uses.
      if (authError.retryAfterSeconds !== undefined) {
        setHeader(response, 'Retry-After', String(authError.retryAfterSeconds));
      }
      throw authError.toHttpException();
    }
  }
}

function bearerToken(request: HttpRequestLike): string {
  const header = request.headers?.authorization;
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match?.[1]) {
    throw new AuthError(
      AUTH_ERROR_CODES.TOKEN_MISSING,
      'An "Authorization: Bearer <token>" header is required',
    );
  }
  return match[1];
}

function authorize(principal: Principal, roles: string[] | undefined, scopes: string[] | undefined): void {
  if (!roles?.length && !scopes?.length) return;
  if (roles?.some((role) => principal.roles.includes(role))) return;
  if (scopes?.some((scope) => principal.scopes.includes(scope))) return;
  // A service can only ever hold scopes, so "scope" is the thing it lacks.
  if (!roles?.length || principal.isService) {
    throw new AuthError(
      AUTH_ERROR_CODES.INSUFFICIENT_SCOPE,
      scopes?.length
        ? `One of these scopes is required: ${scopes.join(', ')}`
        : 'This route is not open to services',
    );
  }
  throw new AuthError(
    AUTH_ERROR_CODES.INSUFFICIENT_ROLE,
    `One of these roles is required: ${roles.join(', ')}`,
  );
}

/** RFC 6750 §3: tell the client what kind of credential failed. */
function setChallenge(response: HttpResponseLike, error: AuthError): void {
  let challenge: string | undefined;
  if (error.code === AUTH_ERROR_CODES.TOKEN_MISSING) challenge = 'Bearer';
  else if (error.status === 401) challenge = 'Bearer error="invalid_token"';
  else if (error.status === 403) challenge = 'Bearer error="insufficient_scope"';
  if (challenge) setHeader(response, 'WWW-Authenticate', challenge);
}

/** Fastify's reply or Node's/Express's response. */
function setHeader(response: HttpResponseLike, name: string, value: string): void {
  if (typeof response?.header === 'function') response.header(name, value);
  else if (typeof response?.setHeader === 'function') response.setHeader(name, value);
}
