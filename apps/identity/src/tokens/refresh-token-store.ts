import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { JsonFile } from '../storage/json-file.js';

/** How the session began, which decides the claim set of the tokens a refresh issues (see claims.ts). */
export type TokenChannel = 'api' | 'oauth';

export interface RefreshTokenRecord {
  /** SHA-256 of the token: the file never holds a usable token. */
  hash: string;
  username: string;
  sub: string;
  clientId: string;
  scopes: string[];
  /** Epoch seconds of the sign-in the session started with. */
  authTime: number;
  /** The session's id: `origin_jti` of every token issued in it. */
  originJti: string;
  channel: TokenChannel;
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface RefreshTokensDocument {
  version: 1;
  tokens: RefreshTokenRecord[];
}

export type NewSession = Omit<RefreshTokenRecord, 'hash' | 'issuedAt' | 'expiresAt' | 'revokedAt'>;

/**
 * Refresh tokens: opaque random strings (Cognito's are opaque too — encrypted JWTs only Cognito can read).
 * Revoking one (revoke endpoint, GlobalSignOut) also revokes the access tokens of its session, which
 * identity's own endpoints check through `isSessionRevoked`, as Cognito's do.
 */
export class RefreshTokenStore {
  private readonly byHash = new Map<string, RefreshTokenRecord>();

  private constructor(
    private readonly file: JsonFile<RefreshTokensDocument>,
    private readonly clock: Clock,
    private readonly lifetimeMs: number,
  ) {}

  static async open(file: JsonFile<RefreshTokensDocument>, clock: Clock, lifetimeSeconds: number) {
    const store = new RefreshTokenStore(file, clock, lifetimeSeconds * 1000);
    for (const record of (await file.read())?.tokens ?? []) store.byHash.set(record.hash, record);
    return store;
  }

  async issue(session: NewSession): Promise<string> {
    const token = randomBytes(48).toString('base64url');
    const now = this.clock.now();
    const record = {
      ...session,
      hash: digest(token),
      issuedAt: now,
      expiresAt: now + this.lifetimeMs,
      revokedAt: null,
    };
    this.byHash.set(record.hash, record);
    await this.save();
    return token;
  }

  /** The record of a token, whatever its state: callers tell revoked and expired apart for their messages. */
  find(token: string): RefreshTokenRecord | undefined {
    return this.byHash.get(digest(token));
  }

  isExpired(record: RefreshTokenRecord): boolean {
    return record.expiresAt <= this.clock.now();
  }

  async revoke(record: RefreshTokenRecord): Promise<void> {
    record.revokedAt ??= this.clock.now();
    await this.save();
  }

  /** GlobalSignOut: every session of the user, on every client. */
  async revokeAllOf(sub: string): Promise<number> {
    let count = 0;
    for (const record of this.byHash.values()) {
      if (record.sub === sub && record.revokedAt === null) {
        record.revokedAt = this.clock.now();
        count++;
      }
    }
    await this.save();
    return count;
  }

  isSessionRevoked(originJti: string): boolean {
    for (const record of this.byHash.values()) {
      if (record.originJti === originJti) return record.revokedAt !== null;
    }
    return false;
  }

  private save(): Promise<void> {
    // Expired records are dropped on the way out: their access tokens have expired too.
    const now = this.clock.now();
    for (const [hash, record] of this.byHash) if (record.expiresAt <= now) this.byHash.delete(hash);
    return this.file.write({ version: 1, tokens: [...this.byHash.values()] });
  }
}

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');
