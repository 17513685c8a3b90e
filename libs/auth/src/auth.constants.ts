/** Injection token of the normalised JwtAuthOptions. */
export const JWT_AUTH_OPTIONS = Symbol('JWT_AUTH_OPTIONS');
/** Injection token of the M2MTokenOptions. */
export const M2M_TOKEN_OPTIONS = Symbol('M2M_TOKEN_OPTIONS');

export const IS_PUBLIC_KEY = 'helpline:auth:public';
export const ROLES_KEY = 'helpline:auth:roles';
export const SCOPES_KEY = 'helpline:auth:scopes';
