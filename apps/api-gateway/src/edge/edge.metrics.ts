import { Counter, Gauge, type Registry } from 'prom-client';

const STATE_VALUE: Record<string, number> = { closed: 0, halfOpen: 1, open: 2, isolated: 3 };

/**
 * What the edge adds to the service metrics (requests and latency by route and status come from
 * @helpline/common): upstream failures by kind, requests refused by a usage plan, circuit states.
 */
export class EdgeMetrics {
  private readonly upstreamErrors: Counter<'upstream' | 'kind'>;
  private readonly rateLimited: Counter<'reason'>;
  private readonly circuits: Gauge<'upstream'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.upstreamErrors = new Counter({
      name: 'gateway_upstream_errors_total',
      help: 'Requests the gateway could not get answered, by upstream and kind (refused, failed, timeout, circuit-open)',
      labelNames: ['upstream', 'kind'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused by a usage plan, by reason (THROTTLED, QUOTA_EXCEEDED)',
      labelNames: ['reason'],
      registers,
    });
    this.circuits = new Gauge({
      name: 'gateway_circuit_state',
      help: 'Circuit breaker per upstream: 0 closed, 1 half-open, 2 open',
      labelNames: ['upstream'],
      registers,
    });
  }

  upstreamError(upstream: string, kind: string): void {
    this.upstreamErrors.inc({ upstream, kind });
  }

  limited(reason: string): void {
    this.rateLimited.inc({ reason });
  }

  circuit(upstream: string, state: unknown): void {
    this.circuits.set({ upstream }, STATE_VALUE[String(state)] ?? 0);
  }
}
