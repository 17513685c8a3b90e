import { Injectable, Logger } from '@nestjs/common';
import { type HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';

/** Resolves when the dependency is usable; may resolve with details that are safe to publish. */
export type ReadinessCheck = () => Promise<void | Record<string, unknown>>;

/** A probe must answer before its prober gives up (ECS and the launcher wait about 5 s). */
export const READINESS_CHECK_TIMEOUT_MS = 2_000;

/**
 * Dependencies register what "ready" means for them (the database module registers a ping);
 * /health/ready runs every check, /health/live none. Each check is bounded in time, so a frozen
 * dependency makes readiness fail rather than hang. The public body names the dependency that is
 * down, never why (addresses, error texts): the cause is logged, once per change of state.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly down = new Set<string>();
  private readonly logger = new Logger('Readiness');

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Resolves with terminus' result; rejects with a ServiceUnavailableException holding it when a check fails. */
  check(): Promise<HealthCheckResult> {
    return this.health.check(
      [...this.checks].map(([name, check]) => async () => {
        const indicator = this.indicators.check(name);
        try {
          const details = await withTimeout(check(), READINESS_CHECK_TIMEOUT_MS, name);
          if (this.down.delete(name)) this.logger.log(`${name} is ready again`);
          return indicator.up(details ?? undefined);
        } catch (error) {
          if (!this.down.has(name)) {
            this.down.add(name);
            this.logger.warn({ err: error }, `${name} is not ready`);
          }
          return indicator.down();
        }
      }),
    );
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    // A check that fails after losing the race has already been reported as down.
    work.catch(() => undefined);
  }
}
