import cluster from 'node:cluster';
import { ReadinessRegistry } from '@helpline/common';
import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { EdgeConfig } from '../config.js';
import { LIMIT_STORE, USAGE_LIMITER, USAGE_PLANS } from '../gateway.constants.js';
import { LeasedLimitStore, processChannel } from './leases.js';
import { type LimitStore, MemoryLimitStore } from './limit-store.js';
import { loadUsagePlans, type UsagePlans } from './plans.js';
import { InsuredLimitStore, RedisLimitStore } from './redis-limit-store.js';
import { UsageLimiter } from './usage-limiter.js';

/**
 * In Redis when REDIS_URL is set (insured by memory); in memory otherwise: this process's, or, in
 * one of several workers, the primary's through leases.
 */
export function createLimitStore(
  edge: Pick<EdgeConfig, 'redisUrl'>,
  workers: number,
  logger: Pick<Logger, 'warn' | 'log'>,
): LimitStore {
  if (!edge.redisUrl) {
    return cluster.isWorker && workers > 1
      ? new LeasedLimitStore(processChannel(), workers)
      : new MemoryLimitStore();
  }
  return new InsuredLimitStore(new RedisLimitStore({ url: edge.redisUrl }), new MemoryLimitStore(), {
    failed: (error) =>
      logger.warn(
        { err: error },
        'Redis is failing: usage plans are enforced by each gateway instance in memory until it is back',
      ),
    recovered: () => logger.log('Redis is back: usage plans are shared again'),
  });
}

/** Reports the store in readiness: Redis failing degrades the limits but never stops the gateway. */
@Injectable()
class LimitStoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(LIMIT_STORE) private readonly store: LimitStore,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    const store = this.store;
    if (store instanceof InsuredLimitStore) await store.start();
    this.readiness.register('rateLimits', async () => ({
      store: store.kind,
      ...(store instanceof InsuredLimitStore ? { degraded: store.degraded } : {}),
    }));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** The usage plans, where their counters live, and the limiter deciding each request. */
@Global()
@Module({})
export class LimitsModule {
  static forRoot(edge: Pick<EdgeConfig, 'redisUrl' | 'plansFile'>, workers = 1): DynamicModule {
    return {
      module: LimitsModule,
      providers: [
        { provide: USAGE_PLANS, useFactory: () => loadUsagePlans(edge.plansFile) },
        { provide: LIMIT_STORE, useFactory: () => createLimitStore(edge, workers, new Logger('UsagePlans')) },
        {
          provide: USAGE_LIMITER,
          useFactory: (plans: UsagePlans, store: LimitStore) => new UsageLimiter(plans, store),
          inject: [USAGE_PLANS, LIMIT_STORE],
        },
        LimitStoreLifecycle,
      ],
      exports: [USAGE_PLANS, LIMIT_STORE, USAGE_LIMITER],
    };
  }
}
