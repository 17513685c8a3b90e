import { Inject, Injectable, type OnModuleInit, type Provider, type Type } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service.js';
import { ReadinessRegistry } from './readiness.js';

/** The part of @helpline/auth's `keySetStatus()` that readiness and metrics report. */
export interface SigningKeysStatus {
  mode: 'jwks' | 'secret';
  keys: number;
  lastSuccessAt: number | null;
  consecutiveFailures: number;
  stale: boolean;
  unusable: boolean;
}

export const SIGNING_KEYS_STATUS = 'helpline:signing-keys-status';

/**
 * The token signing keys as a dependency: readiness fails only when no key is usable (past the
 * staleness bound of an identity-provider outage, or never fetched and failing) — stale keys
 * still verify, so the service is still ready, and says so. Metrics export the same truth.
 */
@Injectable()
export class SigningKeysHealth implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: MetricsService,
    @Inject(SIGNING_KEYS_STATUS) private readonly status: () => SigningKeysStatus,
  ) {}

  onModuleInit(): void {
    this.readiness.register('signingKeys', async () => {
      const status = this.status();
      if (status.unusable)
        throw new Error(`no usable signing keys (${status.consecutiveFailures} failed fetches)`);
      return { stale: status.stale };
    });
    const registers = [this.metrics.registry];
    const gauge = (name: string, help: string, value: (s: SigningKeysStatus) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(value(status()));
        },
      });
    const status = () => this.status();
    gauge('jwks_keys_usable', '1 while tokens can be verified (fresh or stale keys), 0 otherwise', (s) =>
      s.unusable ? 0 : 1,
    );
    gauge('jwks_keys_stale', '1 while verifying with keys whose refresh failed', (s) => (s.stale ? 1 : 0));
    gauge('jwks_keys', 'Keys in the last key set fetched', (s) => s.keys);
    gauge(
      'jwks_refresh_failures',
      'Failed JWKS fetches since the last successful one',
      (s) => s.consecutiveFailures,
    );
    gauge('jwks_last_success_timestamp_seconds', 'When the key set was last fetched (0: never)', (s) =>
      s.lastSuccessAt ? s.lastSuccessAt / 1000 : 0,
    );
  }
}

/** The providers a service adds to report its token verifier's keys: `signingKeysHealth(JwtVerificationService)`. */
export function signingKeysHealth(verifier: Type<{ keySetStatus(): SigningKeysStatus }>): Provider[] {
  return [
    {
      provide: SIGNING_KEYS_STATUS,
      useFactory: (service: { keySetStatus(): SigningKeysStatus }) => () => service.keySetStatus(),
      inject: [verifier],
    },
    SigningKeysHealth,
  ];
}
