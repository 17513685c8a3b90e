import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';

/** Cognito's authorization codes are valid for 5 minutes. */
export const AUTHORIZATION_CODE_TTL_MS = 5 * 60 * 1000;

export interface AuthorizationGrant {
  clientId: string;
  redirectUri: string;
  sub: string;
  scopes: string[];
  /** PKCE S256 challenge, when the authorize request had one. */
  codeChallenge?: string;
  nonce?: string;
}

/**
 * Issued authorization codes, in memory: a code outlives neither 5 minutes nor its first use (a restart
 * also ends it, which a browser flow shrugs off by starting again).
 */
export class AuthorizationCodes {
  private readonly codes = new Map<string, AuthorizationGrant & { expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  issue(grant: AuthorizationGrant): string {
    const now = this.clock.now();
    for (const [code, entry] of this.codes) if (entry.expiresAt <= now) this.codes.delete(code);
    const code = randomUUID();
    this.codes.set(code, { ...grant, expiresAt: now + AUTHORIZATION_CODE_TTL_MS });
    return code;
  }

  /** The grant of a live code, which is used up by this call whatever happens next. */
  redeem(code: string): AuthorizationGrant | undefined {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || entry.expiresAt <= this.clock.now()) return undefined;
    const { expiresAt: _expiresAt, ...grant } = entry;
    return grant;
  }
}
