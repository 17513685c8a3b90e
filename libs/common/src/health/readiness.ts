import { Injectable } from '@nestjs/common';
import { type HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';

export type ReadinessCheck = () => Promise<void>;

/**
 * Dependencies register what "ready" means for them (the database module registers a ping);
 * /health/ready runs every check, /health/live none.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

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
          await check();
          return indicator.up();
        } catch (error) {
          return indicator.down({ message: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
  }
}
