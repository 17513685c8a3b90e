import type { ClaimsAndScopeOverrideDetails, IdTokenGeneration } from '@helpline/cognito-triggers';
import type { Claims } from './claims.js';

/** A token pair before signing: what Pre token generation may change. */
export interface TokenDraft {
  /** Absent for client credentials, which have no ID token. */
  id?: Claims;
  access: Claims;
  scopes: string[];
  groups: string[];
  /** From groupOverrideDetails, ID token only. */
  roles?: string[];
  preferredRole?: string | null;
}

// Claims a trigger cannot add, change or suppress (Cognito ignores such requests); groups and scopes change
// only through groupOverrideDetails and scopesToAdd/scopesToSuppress.
const FIXED_IN_BOTH = [
  'acr',
  'amr',
  'at_hash',
  'auth_time',
  'azp',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'sub',
  'token_use',
  'cognito:groups',
  'cognito:roles',
  'cognito:preferred_role',
];
const FIXED_IN_ID = new Set([...FIXED_IN_BOTH, 'aud', 'cognito:username']);
const FIXED_IN_ACCESS = new Set([...FIXED_IN_BOTH, 'client_id', 'scope', 'username', 'version']);

/**
 * Applies a V2/V3 `claimsAndScopeOverrideDetails` the way Cognito does; `ignored` hears about each request
 * Cognito would not honour, so a handler's author sees it in identity's log.
 */
export function applyOverrides(
  draft: TokenDraft,
  details: ClaimsAndScopeOverrideDetails | null | undefined,
  ignored: (what: string) => void,
): TokenDraft {
  if (!details) return draft;
  const result: TokenDraft = { ...draft, access: { ...draft.access }, scopes: [...draft.scopes] };
  const groups = details.groupOverrideDetails;
  if (groups?.groupsToOverride) result.groups = [...groups.groupsToOverride];
  if (groups?.iamRolesToOverride) result.roles = [...groups.iamRolesToOverride];
  if (groups?.preferredRole !== undefined) result.preferredRole = groups.preferredRole;

  if (draft.id) {
    result.id = { ...draft.id };
    applyClaims(result.id, details.idTokenGeneration, FIXED_IN_ID, 'ID', ignored);
  } else if (details.idTokenGeneration) {
    ignored('idTokenGeneration (a client-credentials grant has no ID token)');
  }
  const access = details.accessTokenGeneration;
  applyClaims(result.access, access, FIXED_IN_ACCESS, 'access', ignored);
  if (access?.scopesToSuppress) {
    const suppressed = new Set(access.scopesToSuppress);
    result.scopes = result.scopes.filter((scope) => !suppressed.has(scope));
  }
  for (const scope of access?.scopesToAdd ?? []) {
    if (!result.scopes.includes(scope)) result.scopes.push(scope);
  }
  return result;
}

function applyClaims(
  claims: Claims,
  generation: IdTokenGeneration | undefined,
  fixed: ReadonlySet<string>,
  token: string,
  ignored: (what: string) => void,
): void {
  for (const [name, value] of Object.entries(generation?.claimsToAddOrOverride ?? {})) {
    if (fixed.has(name)) ignored(`${token} token claim ${name} cannot be overridden`);
    else claims[name] = value;
  }
  for (const name of generation?.claimsToSuppress ?? []) {
    if (fixed.has(name)) ignored(`${token} token claim ${name} cannot be suppressed`);
    else delete claims[name];
  }
}

/** Puts groups, roles and scopes into the claims, in Cognito's form (absent rather than empty). */
export function finalizeClaims(draft: TokenDraft): { id?: Claims; access: Claims } {
  const groupClaim = draft.groups.length > 0 ? { 'cognito:groups': draft.groups } : {};
  const access: Claims = { ...groupClaim, ...draft.access };
  if (draft.scopes.length > 0) access.scope = draft.scopes.join(' ');
  if (!draft.id) return { access };
  const id: Claims = {
    ...groupClaim,
    ...(draft.roles && draft.roles.length > 0 ? { 'cognito:roles': draft.roles } : {}),
    ...(draft.preferredRole ? { 'cognito:preferred_role': draft.preferredRole } : {}),
    ...draft.id,
  };
  return { id, access };
}
