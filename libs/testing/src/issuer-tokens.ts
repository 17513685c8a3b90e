import { randomUUID } from 'node:crypto';

/** What a test may say about a token; everything else gets Cognito's defaults. Times are epoch seconds. */
export interface TestTokenOptions {
  /** Default: a fresh UUID. */
  sub?: string;
  /** Default: the sub, as Cognito does for pools that sign in by email. */
  username?: string;
  /** `cognito:groups`; default ['user']; [] leaves the claim out, as Cognito does. */
  groups?: string[];
  /** Access tokens only; default 'openid email'. */
  scope?: string;
  /** `client_id` (access) or `aud` (ID); default the issuer's clientId. */
  clientId?: string;
  /** ID tokens only; default `user-<sub prefix>@example.com`. */
  email?: string;
  /** Seconds from `iat` to `exp`; default 3600; negative gives an expired token. */
  expiresIn?: number;
  /** `nbf`, absolute epoch seconds; Cognito sets none, so it is left out unless given. */
  notBefore?: number;
  /** `iat` and `auth_time`, absolute epoch seconds; default now. */
  issuedAt?: number;
  /** Merged last: adds claims or overrides any of the above (a value of undefined removes the claim). */
  claims?: Record<string, unknown>;
}

interface Context {
  issuer: string;
  clientId: string;
  nowSeconds: number;
}

function times(options: TestTokenOptions, context: Context) {
  const iat = options.issuedAt ?? context.nowSeconds;
  return {
    auth_time: iat,
    iat,
    exp: iat + (options.expiresIn ?? 3600),
    ...(options.notBefore !== undefined ? { nbf: options.notBefore } : {}),
  };
}

function finish(claims: Record<string, unknown>, extra: Record<string, unknown> | undefined) {
  const merged: Record<string, unknown> = { ...claims, ...extra };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged;
}

function groups(options: TestTokenOptions) {
  const list = options.groups ?? ['user'];
  return list.length > 0 ? { 'cognito:groups': list } : {};
}

/** A Cognito user access token: no `aud`; `client_id`, `username`, `scope`, token_use "access". */
export function accessTokenClaims(options: TestTokenOptions, context: Context): Record<string, unknown> {
  const sub = options.sub ?? randomUUID();
  const { auth_time, iat, exp, ...nbf } = times(options, context);
  return finish(
    {
      sub,
      ...groups(options),
      iss: context.issuer,
      version: 2,
      client_id: options.clientId ?? context.clientId,
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      token_use: 'access',
      scope: options.scope ?? 'openid email',
      auth_time,
      ...nbf,
      exp,
      iat,
      jti: randomUUID(),
      username: options.username ?? sub,
    },
    options.claims,
  );
}

/** A Cognito ID token: `aud` = client id, `cognito:username`, `email`, token_use "id". */
export function idTokenClaims(options: TestTokenOptions, context: Context): Record<string, unknown> {
  const sub = options.sub ?? randomUUID();
  const { auth_time, iat, exp, ...nbf } = times(options, context);
  return finish(
    {
      sub,
      ...groups(options),
      email_verified: true,
      iss: context.issuer,
      'cognito:username': options.username ?? sub,
      origin_jti: randomUUID(),
      aud: options.clientId ?? context.clientId,
      event_id: randomUUID(),
      token_use: 'id',
      auth_time,
      ...nbf,
      exp,
      iat,
      jti: randomUUID(),
      email: options.email ?? `user-${sub.slice(0, 8)}@example.com`,
    },
    options.claims,
  );
}

/** A client-credentials access token: `sub` = `client_id`, scopes, no username and no groups. */
export function serviceTokenClaims(
  scopes: string[],
  clientId: string,
  context: Context,
): Record<string, unknown> {
  const iat = context.nowSeconds;
  return {
    sub: clientId,
    token_use: 'access',
    scope: scopes.join(' '),
    auth_time: iat,
    iss: context.issuer,
    exp: iat + 3600,
    iat,
    version: 2,
    jti: randomUUID(),
    client_id: clientId,
  };
}
