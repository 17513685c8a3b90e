import { Redis } from 'ioredis';
import type { LimitCheck, LimitOutcome, LimitStore } from './limit-store.js';
import { MemoryLimitStore } from './limit-store.js';

const PREFIX = 'helpline:gw:';

/**
 * The same decisions as MemoryLimitStore's, made inside Redis in one script, so that every
 * gateway sharing the Redis shares one budget exactly: the script reads every counter, decides,
 * and writes only when all allow, atomically, on Redis's own clock (the gateways' clocks may differ).
 * KEYS: one per check. ARGV per check: kind (t|q), then interval and capacity in ms (throttle) or
 * limit and period end in epoch ms (quota).
 */
const CONSUME = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local results, writes, allowed = {}, {}, true
for i, key in ipairs(KEYS) do
  local kind = ARGV[i * 3 - 2]
  local a = tonumber(ARGV[i * 3 - 1])
  local b = tonumber(ARGV[i * 3])
  local stored = tonumber(redis.call('GET', key))
  if kind == 't' then
    local tat = stored or now
    if tat < now then tat = now end
    local used = tat + a - now
    if used > b then
      allowed = false
      results[i] = {0, 0, math.ceil(used - b), math.ceil(tat - now)}
    else
      writes[i] = {tat + a, math.ceil(used) + 1000}
      results[i] = {1, math.floor((b - used) / a), 0, math.ceil(used)}
    end
  else
    local count = stored or 0
    if count + 1 > a then
      allowed = false
      results[i] = {0, 0, b - now, b - now}
    else
      writes[i] = {count + 1, b - now + 60000}
      results[i] = {1, a - count - 1, 0, b - now}
    end
  end
end
if allowed then
  for i, key in ipairs(KEYS) do
    redis.call('SET', key, tostring(writes[i][1]), 'PX', writes[i][2])
  end
end
return results
`;

export interface RedisLimitStoreOptions {
  url: string;
  /** A command slower than this counts as Redis failing. */
  commandTimeoutMs?: number;
}

/** Counters in Redis, shared by every gateway instance. */
export class RedisLimitStore implements LimitStore {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;

  constructor(options: RedisLimitStoreOptions) {
    this.redis = new Redis(options.url, {
      // Fail at once while disconnected rather than queue: the insurance limiter takes over.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 250,
      lazyConnect: false,
    });
    // Errors are reported by the commands that fail; the connection retries on its own.
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('helplineConsume', { lua: CONSUME });
  }

  async consume(checks: readonly LimitCheck[]): Promise<LimitOutcome[]> {
    const args: Array<string | number> = [];
    for (const check of checks) {
      if (check.kind === 'throttle') {
        const interval = 1000 / check.throttle.rateLimit;
        args.push('t', interval, interval * check.throttle.burstLimit);
      } else {
        args.push('q', check.limit, check.end);
      }
    }
    const consume = (
      this.redis as unknown as Record<string, (...a: Array<string | number>) => Promise<number[][]>>
    ).helplineConsume!;
    const rows = await consume.call(this.redis, checks.length, ...checks.map((c) => PREFIX + c.key), ...args);
    return rows.map(([allowed, remaining, retryAfterMs, resetMs]) => ({
      allowed: allowed === 1,
      remaining: remaining ?? 0,
      retryAfterMs: retryAfterMs ?? 0,
      resetMs: resetMs ?? 0,
    }));
  }

  async used(key: string): Promise<number> {
    return Number((await this.redis.get(PREFIX + key)) ?? 0);
  }

  /** Resolves true once connected, false if that takes longer than `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean> {
    if (this.redis.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.on('ready', onReady);
    });
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/**
 * Redis, insured: when a Redis call fails or is too slow, the request is decided by an in-memory
 * limiter with the same plans (each gateway then keeps its own budget), and Redis is tried again
 * after a pause — the gateway keeps serving through a Redis outage.
 */
export class InsuredLimitStore implements LimitStore {
  readonly kind = 'redis' as const;
  private downUntil = 0;

  constructor(
    private readonly redis: RedisLimitStore,
    readonly insurance: MemoryLimitStore,
    private readonly events: { failed(error: unknown): void; recovered(): void },
    private readonly retryAfterMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Waits up to `timeoutMs` for Redis at start-up. A Redis that is not there by then does not stop
   * the gateway: it starts on the insurance, says so, and moves to Redis once it answers.
   */
  async start(timeoutMs = 2_000): Promise<void> {
    if (await this.redis.ready(timeoutMs)) return;
    this.events.failed(new Error(`not connected within ${timeoutMs} ms`));
    this.downUntil = this.now() + this.retryAfterMs;
  }

  /** True while requests are decided by the in-memory insurance. */
  get degraded(): boolean {
    return this.now() < this.downUntil;
  }

  async consume(checks: readonly LimitCheck[]): Promise<LimitOutcome[]> {
    if (this.degraded) return this.insurance.consumeNow(checks);
    try {
      const outcomes = await this.redis.consume(checks);
      if (this.downUntil !== 0) {
        this.downUntil = 0;
        this.events.recovered();
      }
      return outcomes;
    } catch (error) {
      if (this.downUntil === 0) this.events.failed(error);
      this.downUntil = this.now() + this.retryAfterMs;
      return this.insurance.consumeNow(checks);
    }
  }

  async used(key: string): Promise<number> {
    try {
      return await this.redis.used(key);
    } catch {
      return this.insurance.used(key);
    }
  }

  ping(): Promise<void> {
    return this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.close();
  }
}
