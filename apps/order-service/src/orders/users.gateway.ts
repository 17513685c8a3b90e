import { isUpstreamError, ServiceHttpClient } from '@helpline/http';
import { Inject, Injectable } from '@nestjs/common';
import { BUYER_CACHE_OPTIONS } from './orders.constants.js';
import { userDisabled, userNotProvisioned } from './orders.errors.js';
import type { Buyer, BuyerDirectory } from './orders.ports.js';

export interface BuyerCacheOptions {
  /** How long an active buyer, once read, is taken as still active; 0 reads user-service every time. */
  ttlMs: number;
  /** The most buyers remembered at once; the oldest entry makes room for a new one. */
  maxEntries: number;
}

export const BUYER_CACHE_DEFAULTS: BuyerCacheOptions = { ttlMs: 5_000, maxEntries: 10_000 };

/**
 * The buyer from user-service, read with the caller's own token (seed §3.4: token passthrough), as
 * `GET /users/me`: the user linked to that token, which says 404 when there is none yet (reading
 * `/users/{sub}` as oneself says 403 then, so as not to tell strangers which ids exist).
 *
 * An active buyer is remembered, by identity, for `ttlMs`: a buyer placing orders one after another
 * costs user-service one request per few seconds instead of one per order. The price is that a
 * user disabled or deleted meanwhile may still order for at most that long (the token they hold
 * stays valid for up to an hour in any case). Refusals (not provisioned, disabled) are never
 * remembered.
 */
@Injectable()
export class UsersGateway implements BuyerDirectory {
  private readonly active = new Map<string, { buyer: Buyer; until: number }>();

  constructor(
    private readonly http: ServiceHttpClient,
    @Inject(BUYER_CACHE_OPTIONS) private readonly cache: BuyerCacheOptions,
  ) {}

  async current(sub: string): Promise<Buyer> {
    const now = Date.now();
    const known = this.active.get(sub);
    if (known && known.until > now) return known.buyer;
    if (known) this.active.delete(sub);

    const buyer = await this.read();
    if (this.cache.ttlMs > 0) {
      if (this.active.size >= this.cache.maxEntries) {
        // Insertion order: the first key is the oldest entry.
        this.active.delete(this.active.keys().next().value as string);
      }
      this.active.set(sub, { buyer, until: now + this.cache.ttlMs });
    }
    return buyer;
  }

  private async read(): Promise<Buyer> {
    try {
      const user = await this.http.get<{ id: string; status: 'active' | 'disabled' }>(
        'user-service',
        '/users/me',
        {
          auth: 'caller',
        },
      );
      if (user.status === 'disabled') throw userDisabled();
      return { id: user.id, status: user.status };
    } catch (error) {
      if (isUpstreamError(error) && error.upstreamStatus === 404) throw userNotProvisioned();
      if (isUpstreamError(error) && error.upstreamCode === 'USER_DISABLED') throw userDisabled();
      throw error;
    }
  }
}
