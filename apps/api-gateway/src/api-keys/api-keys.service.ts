import { createHash, randomBytes } from 'node:crypto';
import type { Page } from '@helpline/common';
import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { USAGE_LIMITER, USAGE_PLANS } from '../gateway.constants.js';
import type { Plan, UsagePlans } from '../limits/plans.js';
import type { UsageLimiter } from '../limits/usage-limiter.js';
import { apiKeyNotFound, unknownPlan } from './api-keys.errors.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import type { ApiKey } from './api-keys.schema.js';

/** A key is `hl_` and 43 characters of base64url: 256 random bits. */
const KEY_FORMAT = /^hl_[A-Za-z0-9_-]{43}$/;
/** How long a lookup is trusted: a revocation on another gateway instance takes effect within this. */
const LOOKUP_TTL_MS = 10_000;

export interface ValidKey {
  id: string;
  plan: Plan;
}

export interface KeyUsage {
  used: number;
  limit: number;
  resetsAt: string;
}

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * API keys: created (the key is shown once, then only its hash is kept), listed with the usage of
 * their plan's quota so far, revoked. `check` is on every request that carries `x-api-key`: a
 * bounded cache in front of the database, cleared at once on this instance by a revocation.
 */
@Injectable()
export class ApiKeysService {
  private readonly lookups = new LRUCache<string, ValidKey | false>({ max: 10_000, ttl: LOOKUP_TTL_MS });

  constructor(
    private readonly repository: ApiKeysRepository,
    @Inject(USAGE_PLANS) private readonly plans: UsagePlans,
    @Inject(USAGE_LIMITER) private readonly limiter: UsageLimiter,
  ) {}

  async create(input: {
    name: string;
    plan: string;
    createdBy: string;
  }): Promise<{ key: string; record: ApiKey }> {
    if (!this.plans.plans[input.plan]) throw unknownPlan(input.plan, Object.keys(this.plans.plans));
    const key = `hl_${randomBytes(32).toString('base64url')}`;
    const record = await this.repository.insert({
      name: input.name,
      plan: input.plan,
      keyHash: hashKey(key),
      prefix: key.slice(0, 10),
      createdBy: input.createdBy,
    });
    return { key, record };
  }

  list(limit: number, cursor?: string): Promise<Page<ApiKey>> {
    return this.repository.list(limit, cursor);
  }

  async get(id: string): Promise<ApiKey> {
    const record = await this.repository.findById(id);
    if (!record) throw apiKeyNotFound(id);
    return record;
  }

  async revoke(id: string): Promise<ApiKey> {
    const record = await this.repository.revoke(id);
    if (!record) throw apiKeyNotFound(id);
    this.lookups.delete(record.keyHash);
    return record;
  }

  async usage(record: ApiKey): Promise<KeyUsage | undefined> {
    const plan = this.plans.plans[record.plan];
    return plan ? this.limiter.quotaUsage(record.id, plan) : undefined;
  }

  /**
   * What is known of a key without asking the database: its id and plan, `false` when it is
   * malformed or known to be invalid, undefined when only `check` can tell.
   */
  checkCached(key: string): ValidKey | false | undefined {
    if (!KEY_FORMAT.test(key)) return false;
    return this.lookups.get(hashKey(key));
  }

  /** The key's id and plan, or undefined when it is malformed, unknown or revoked. */
  async check(key: string): Promise<ValidKey | undefined> {
    if (!KEY_FORMAT.test(key)) return undefined;
    const hash = hashKey(key);
    const cached = this.lookups.get(hash);
    if (cached !== undefined) return cached || undefined;
    const record = await this.repository.findActiveByHash(hash);
    const plan = record ? this.plans.plans[record.plan] : undefined;
    const valid: ValidKey | false = record && plan ? { id: record.id, plan } : false;
    this.lookups.set(hash, valid);
    return valid || undefined;
  }
}
