import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerState } from './upstream-policy.js';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Upstream call metrics, in the application's registry (common's MetricsService), never
 * prom-client's global one. Labels are bounded: configured upstream names, HTTP methods, and an
 * outcome that is a status code or one of a few error kinds.
 */
export class HttpClientMetrics {
  private readonly calls: Counter<'upstream' | 'method' | 'outcome'>;
  private readonly duration: Histogram<'upstream' | 'method' | 'outcome'>;
  private readonly retries: Counter<'upstream'>;
  private readonly circuit: Gauge<'upstream'>;

  constructor(registry: Registry) {
    this.calls = reuse(
      registry,
      'upstream_requests_total',
      () =>
        new Counter({
          name: 'upstream_requests_total',
          help: 'Calls to upstream services, by outcome (status code, timeout, unavailable, circuit_open)',
          labelNames: ['upstream', 'method', 'outcome'],
          registers: [registry],
        }),
    );
    this.duration = reuse(
      registry,
      'upstream_request_duration_seconds',
      () =>
        new Histogram({
          name: 'upstream_request_duration_seconds',
          help: 'Duration of calls to upstream services, retries included',
          labelNames: ['upstream', 'method', 'outcome'],
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: [registry],
        }),
    );
    this.retries = reuse(
      registry,
      'upstream_retries_total',
      () =>
        new Counter({
          name: 'upstream_retries_total',
          help: 'Retried attempts of idempotent upstream calls',
          labelNames: ['upstream'],
          registers: [registry],
        }),
    );
    this.circuit = reuse(
      registry,
      'upstream_circuit_state',
      () =>
        new Gauge({
          name: 'upstream_circuit_state',
          help: "An upstream's circuit breaker: 0 closed, 1 half-open, 2 open",
          labelNames: ['upstream'],
          registers: [registry],
        }),
    );
  }

  init(upstreams: Iterable<string>): void {
    for (const upstream of upstreams) this.circuit.set({ upstream }, 0);
  }

  observe(upstream: string, method: string, outcome: string, seconds: number): void {
    const labels = { upstream, method, outcome };
    this.calls.inc(labels);
    this.duration.observe(labels, seconds);
  }

  retried(upstream: string): void {
    this.retries.inc({ upstream });
  }

  circuitState(upstream: string, state: BreakerState): void {
    this.circuit.set({ upstream }, STATE_VALUE[state]);
  }
}

/** A second client on the same registry (tests, two modules) reuses the metric instead of failing. */
function reuse<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}
