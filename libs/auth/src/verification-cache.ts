import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Principal } from './principal.js';

interface Entry {
  principal: Principal;
  /** Epoch ms of the token's `exp`: the entry is dead from then on, whatever the LRU thinks. */
  expiresAt: number;
}

export interface VerificationCacheStats {
  hits: number;
  misses: number;
  size: number;
  maxEntries: number;
}

/**
 * Successful verifications, keyed by a SHA-256 of the token: the key is 43 bytes however long
 * the token, and no bearer token sits in the heap for a dump to reveal.
 */
export class VerificationCache {
  private readonly lru: LRUCache<string, Entry> | undefined;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {
    this.lru = maxEntries > 0 ? new LRUCache<string, Entry>({ max: maxEntries }) : undefined;
  }

  static keyOf(token: string): string {
    // The one-shot hash: half the cost of a Hash object, on every request that carries a token.
    return hash('sha256', token, 'base64url');
  }

  /** `countMiss` false: a look that `verify` follows on a miss, which counts it then. */
  get(key: string, countMiss = true): Principal | undefined {
    const entry = this.lru?.get(key);
    if (entry && entry.expiresAt > this.now()) {
      this.hits++;
      return entry.principal;
    }
    // Checked against our own clock rather than the LRU's TTL timer, so an injected clock in
    // tests and a slow event loop in production both see the same rule: never past `exp`.
    if (entry) this.lru?.delete(key);
    if (countMiss) this.misses++;
    return undefined;
  }

  set(key: string, principal: Principal, expiresAt: number): void {
    const ttl = expiresAt - this.now();
    if (!this.lru || ttl <= 0) return;
    this.lru.set(key, { principal, expiresAt }, { ttl });
  }

  clear(): void {
    this.lru?.clear();
  }

  stats(): VerificationCacheStats {
    return { hits: this.hits, misses: this.misses, size: this.lru?.size ?? 0, maxEntries: this.maxEntries };
  }
}
