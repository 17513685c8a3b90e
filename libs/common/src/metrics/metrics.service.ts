import { Injectable } from '@nestjs/common';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * One registry per application instance (not prom-client's global one), so several apps in one
 * process — as in tests — never collide over metric names.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by route template',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests, by route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      registers: [this.registry],
    });
  }

  private source?: () => Promise<string>;

  /**
   * Where `/metrics` gets its text: this registry by default. A process that is one of several
   * serving the same port (the gateway's workers) points it at the sum of all of them.
   */
  useSource(source: () => Promise<string>): void {
    this.source = source;
  }

  render(): Promise<string> {
    return this.source ? this.source() : this.registry.metrics();
  }

  /** Route is the template (`/users/:id`), never the raw URL, to keep label cardinality bounded. */
  observe(method: string, route: string, statusCode: number, seconds: number): void {
    const labels = { method, route, status_code: String(statusCode) };
    this.httpDuration.observe(labels, seconds);
    this.httpRequests.inc(labels);
  }
}
