/** Who is calling, as established from a verified token. Frozen: one instance is shared by every request that sends the same token. */
export interface Principal {
  sub: string;
  /** `username` (access token) or `cognito:username` (ID token). */
  username?: string;
  /** `client_id` (access token) or `aud` (ID token). */
  clientId?: string;
  email?: string;
  roles: string[];
  scopes: string[];
  tokenUse?: 'access' | 'id';
  /** A client-credentials token: an access token with no username whose `sub` is its `client_id`. */
  isService: boolean;
  /** Every claim of the token, as verified. */
  claims: Record<string, unknown>;
}

export interface ClaimNames {
  rolesClaim: string;
  scopesClaim: string;
}

/** A claim by name, or by dotted path (`realm_access.roles`) when no claim has that exact name. */
function claim(claims: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(claims, name) || !name.includes('.')) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function words(value: unknown, separator: RegExp): string[] {
  const items = typeof value === 'string' ? value.split(separator) : Array.isArray(value) ? value : [];
  return [...new Set(items.filter((item): item is string => typeof item === 'string' && item.length > 0))];
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Maps verified Cognito-shaped claims to a Principal. `sub` must already be known to be a string. */
export function toPrincipal(claims: Record<string, unknown> & { sub: string }, names: ClaimNames): Principal {
  const tokenUse = claims.token_use === 'access' || claims.token_use === 'id' ? claims.token_use : undefined;
  const username = optionalString(tokenUse === 'id' ? claims['cognito:username'] : claims.username);
  const clientId =
    optionalString(claims.client_id) ?? (tokenUse === 'id' ? optionalString(claims.aud) : undefined);
  const isService =
    tokenUse !== 'id' && username === undefined && clientId !== undefined && claims.sub === clientId;
  const principal: Principal = {
    sub: claims.sub,
    ...(username !== undefined ? { username } : {}),
    ...(clientId !== undefined ? { clientId } : {}),
    ...(optionalString(claims.email) !== undefined ? { email: claims.email as string } : {}),
    // A service acts on its own behalf: user roles never apply to it, even if a token
    // customisation trigger put a groups claim into a client-credentials token.
    roles: isService ? [] : words(claim(claims, names.rolesClaim), /[\s,]+/),
    scopes: words(claim(claims, names.scopesClaim), /\s+/),
    ...(tokenUse !== undefined ? { tokenUse } : {}),
    isService,
    claims,
  };
  return deepFreeze(principal);
}

function isPrincipal(value: unknown): value is Principal {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Partial<Principal>;
  return (
    typeof p.sub === 'string' &&
    Array.isArray(p.roles) &&
    Array.isArray(p.scopes) &&
    typeof p.isService === 'boolean' &&
    typeof p.claims === 'object'
  );
}

/** The principal the guard stored on the request, or undefined on a @Public route without one. */
export function getPrincipal(request: { user?: unknown }): Principal | undefined {
  return isPrincipal(request?.user) ? request.user : undefined;
}
