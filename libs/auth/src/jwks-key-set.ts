import { createLocalJWKSet, errors } from 'jose';
import type { CryptoKey, FlattenedJWSInput, JSONWebKeySet, JWSHeaderParameters, LocalJWKSet } from 'jose';
import { AUTH_ERROR_CODES, AuthError } from './auth-error.js';
import { fetchJwks, JwksErrorKind, JwksFetchError } from './jwks-fetch.js';
import type { AuthLogger } from './jwt-auth.options.js';

export interface JwksKeySetOptions {
  url: URL;
  /** Rate limit: refetches for unknown kids after one found nothing new, and retries after a failure. */
  cooldownMs: number;
  /** Age after which the keys are refreshed (behind the requests, which keep using them). */
  maxAgeMs: number;
  /** Age after which keys that could not be refreshed are no longer used. */
  maxStalenessMs: number;
  timeoutMs: number;
  now: () => number;
  logger?: AuthLogger;
}

/** Plain data for readiness checks and metrics. Times are epoch milliseconds. */
export interface KeySetStatus {
  mode: 'jwks' | 'secret';
  /** Keys in the last key set fetched (1 in secret mode). */
  keys: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastErrorKind: JwksErrorKind | null;
  /** Failed fetches since the last successful one. */
  consecutiveFailures: number;
  /** When the keys stop being used if they cannot be refreshed (`lastSuccessAt + jwksMaxStalenessMs`). */
  usableUntil: number | null;
  /** Past the max age and the refresh failed: verifying with the last known keys. */
  stale: boolean;
  /**
   * No usable keys: past the staleness bound, or none ever fetched and the last fetch failed.
   * Every token gets 503 JWKS_UNAVAILABLE until a fetch succeeds.
   */
  unusable: boolean;
}

type FetchReason = 'no-usable-keys' | 'max-age' | 'unknown-kid';

const ignore = () => undefined;

/**
 * The issuer's JWKS, built on jose's local key set. What jose's remote set does not do:
 * - keeps verifying with the last known keys while refreshes fail, up to `maxStalenessMs`;
 * - refreshes past the max age behind the request, so no request waits for a slow issuer
 *   when it has keys;
 * - refetches at once for the first unknown `kid` (a key rotation), and rate-limits only the
 *   unknown kids that follow a refetch which found nothing new (a flood of made-up kids).
 * One fetch at a time: every caller that needs one shares it.
 */
export class JwksKeySet {
  private keys: LocalJWKSet | undefined;
  private keyCount = 0;
  /** The keys as last served, to tell whether a refetch found anything new. */
  private served = '';
  private fetchedAt: number | undefined;
  private failedAt: number | undefined;
  private failingSince: number | undefined;
  private lastErrorKind: JwksErrorKind | null = null;
  private failures = 0;
  private unknownKidCooldownUntil = -Infinity;
  private reportedUnusable = false;
  private pending: Promise<void> | undefined;
  /** Fetches started, and the one whose keys are in use: whether keys are newer than a request. */
  private started = 0;
  private applied = 0;

  constructor(private readonly options: JwksKeySetOptions) {}

  /** For `jwtVerify`: a key, jose's JWKSNoMatchingKey (→ 401), or AuthError JWKS_UNAVAILABLE (503). */
  async getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    // Keys from a fetch in flight now, or started later, are new enough to settle an unknown kid.
    const arrivedAt = this.pending ? this.started - 1 : this.started;
    if (!this.usable()) {
      // Nothing to fall back on: this request waits for a fetch, bounded by the timeout.
      await this.refresh('no-usable-keys').catch(ignore);
      if (!this.usable()) {
        this.reportUnusable();
        throw this.unavailable('The token signing keys could not be fetched');
      }
    } else if (this.refreshDue()) {
      // This request verifies with the keys it has; the refresh runs behind it.
      this.refresh('max-age').catch(ignore);
    }
    return (await this.lookup(header, token)) ?? this.resolveUnknownKid(header, token, arrivedAt);
  }

  /** Until when the current keys may be used (−∞ before the first fetch). */
  usableUntil(): number {
    return this.fetchedAt === undefined ? -Infinity : this.fetchedAt + this.options.maxStalenessMs;
  }

  status(): KeySetStatus {
    const now = this.options.now();
    const usable = this.usable(now);
    const pastMaxAge = this.fetchedAt !== undefined && now >= this.fetchedAt + this.options.maxAgeMs;
    return {
      mode: 'jwks',
      keys: this.keyCount,
      lastSuccessAt: this.fetchedAt ?? null,
      lastFailureAt: this.failedAt ?? null,
      lastErrorKind: this.lastErrorKind,
      consecutiveFailures: this.failures,
      usableUntil: this.fetchedAt === undefined ? null : this.usableUntil(),
      stale: usable && pastMaxAge && this.failures > 0,
      unusable: this.keys ? !usable : this.failures > 0,
    };
  }

  /** A `kid` the key set does not have: maybe a key published since the last fetch. */
  private async resolveUnknownKid(
    header: JWSHeaderParameters,
    token: FlattenedJWSInput,
    arrivedAt: number,
  ): Promise<CryptoKey> {
    // Only keys fetched since this request arrived can settle it: join a fetch under way, or
    // start one unless rate-limited.
    if (this.pending) await this.pending.catch(ignore);
    if (this.applied <= arrivedAt && this.mayFetchForUnknownKid()) {
      await this.refresh('unknown-kid').catch(ignore);
    }
    const key = this.usable() ? await this.lookup(header, token) : undefined;
    if (key) return key;
    // The last fetch failed, so the key may exist: not the caller's fault, and not a 401.
    if (this.failures > 0 || !this.usable()) {
      throw this.unavailable(
        "The token's signing key is not among the cached keys, and the key set could not be fetched",
      );
    }
    throw new errors.JWKSNoMatchingKey();
  }

  private async lookup(
    header: JWSHeaderParameters,
    token: FlattenedJWSInput,
  ): Promise<CryptoKey | undefined> {
    try {
      return await (this.keys as LocalJWKSet)(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey) return undefined;
      throw error;
    }
  }

  private refresh(reason: FetchReason): Promise<void> {
    if (!this.pending) {
      const generation = ++this.started;
      this.pending = this.fetchAndApply(generation, reason).finally(() => {
        this.pending = undefined;
      });
    }
    return this.pending;
  }

  private async fetchAndApply(generation: number, reason: FetchReason): Promise<void> {
    let jwks: JSONWebKeySet;
    let keys: LocalJWKSet;
    try {
      jwks = await fetchJwks(this.options.url, this.options.timeoutMs);
      keys = createLocalJWKSet(jwks);
    } catch (error) {
      this.recordFailure(error);
      throw error;
    }
    const now = this.options.now();
    const served = JSON.stringify(jwks.keys);
    if (reason === 'unknown-kid' && served === this.served) {
      // Nothing new: further unknown kids wait for the cooldown, so made-up ones cannot hammer the issuer.
      this.unknownKidCooldownUntil = now + this.options.cooldownMs;
    }
    if (this.failures > 0) {
      this.options.logger?.log(
        `JWKS refresh from ${this.options.url.host} recovered after ${this.failures} failed attempt(s) ` +
          `over ${duration(now - (this.failingSince ?? now))}; ${jwks.keys.length} key(s)`,
      );
    }
    this.keys = keys;
    this.served = served;
    this.keyCount = jwks.keys.length;
    this.fetchedAt = now;
    this.applied = generation;
    this.failures = 0;
    this.failingSince = undefined;
    this.reportedUnusable = false;
  }

  private recordFailure(error: unknown): void {
    const failure =
      error instanceof JwksFetchError
        ? error
        : new JwksFetchError('malformed', 'the key set could not be read', { cause: error });
    const now = this.options.now();
    this.failures++;
    this.failedAt = now;
    this.failingSince ??= now;
    this.lastErrorKind = failure.kind;
    if (this.failures > 1) return; // One line when it starts failing, one when it recovers.
    const host = this.options.url.host;
    const fallback = this.usable(now)
      ? `verifying with the ${this.keyCount} key(s) fetched ${duration(now - (this.fetchedAt as number))} ago, ` +
        `until ${new Date(this.usableUntil()).toISOString()}`
      : 'no token can be verified until it succeeds';
    this.options.logger?.warn(`JWKS fetch from ${host} failed (${failure.message}); ${fallback}`);
  }

  private reportUnusable(): void {
    if (!this.keys || this.reportedUnusable) return;
    this.reportedUnusable = true;
    this.options.logger?.error(
      `JWKS keys from ${this.options.url.host} are older than the ${duration(this.options.maxStalenessMs)} ` +
        'staleness bound and cannot be refreshed: every token is refused (503 JWKS_UNAVAILABLE) until they can',
    );
  }

  private usable(now = this.options.now()): boolean {
    return this.keys !== undefined && now < this.usableUntil();
  }

  private refreshDue(now = this.options.now()): boolean {
    return (
      now >= (this.fetchedAt as number) + this.options.maxAgeMs && !this.pending && this.backoffOver(now)
    );
  }

  /** After a failed fetch the issuer is left alone for the cooldown, unless no key is usable. */
  private backoffOver(now: number): boolean {
    return this.failures === 0 || now >= (this.failedAt as number) + this.options.cooldownMs;
  }

  private mayFetchForUnknownKid(now = this.options.now()): boolean {
    return now >= this.unknownKidCooldownUntil && this.backoffOver(now);
  }

  private unavailable(reason: string): AuthError {
    // When this set will next call the issuer of its own accord: the end of the back-off.
    const now = this.options.now();
    const wait = (this.failedAt ?? now) + this.options.cooldownMs - now;
    const retryAfterSeconds = Math.max(1, Math.ceil(wait / 1000));
    return new AuthError(
      AUTH_ERROR_CODES.JWKS_UNAVAILABLE,
      `${reason} from ${this.options.url.host}; try again in ${retryAfterSeconds} s`,
      { retryAfterSeconds },
    );
  }
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}
