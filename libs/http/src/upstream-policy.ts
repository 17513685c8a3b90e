import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  type IPolicy,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import type { ResolvedHttpClientOptions } from './http-client.options.js';

export type AttemptFailureKind = 'timeout' | 'connection' | 'status' | 'other';

/**
 * One attempt that reached no usable answer: no connection, no answer in time, a 5xx, a malformed
 * response. Only these count against an upstream's circuit; a 4xx is an answer, not a failure.
 */
export class AttemptFailure extends Error {
  constructor(
    readonly kind: AttemptFailureKind,
    /** ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND… or `http_<status>`. */
    readonly reason: string,
    message: string,
    readonly status?: number,
    /** The upstream's Retry-After, in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AttemptFailure';
  }
}

/** Statuses worth another try: the upstream or a proxy in front of it is briefly unable to answer. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface UpstreamPolicyEvents {
  stateChanged(upstream: string, state: BreakerState, detail: { failures: number; openMs: number }): void;
  retrying(upstream: string, failure: AttemptFailure | undefined, delayMs: number): void;
}

/**
 * The resilience of one upstream, with cockatiel: a circuit breaker (opens after N consecutive
 * failed attempts, lets one trial call through after a delay), retries with exponential backoff
 * and decorrelated jitter for idempotent calls only, and a time budget over the whole call.
 */
export class UpstreamPolicy {
  private readonly breaker;
  private readonly idempotent: IPolicy;
  private readonly budget;
  private openedAt = 0;

  constructor(
    readonly upstream: string,
    private readonly options: ResolvedHttpClientOptions,
    events: UpstreamPolicyEvents,
  ) {
    const { breaker, retry: retryOptions, callBudgetMs } = options;
    this.breaker = circuitBreaker(
      handleWhen((error) => error instanceof AttemptFailure),
      {
        halfOpenAfter: breaker.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(breaker.consecutiveFailures),
      },
    );
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
      events.stateChanged(upstream, 'open', {
        failures: breaker.consecutiveFailures,
        openMs: breaker.halfOpenAfterMs,
      });
    });
    this.breaker.onHalfOpen(() => events.stateChanged(upstream, 'half-open', { failures: 0, openMs: 0 }));
    this.breaker.onReset(() => events.stateChanged(upstream, 'closed', { failures: 0, openMs: 0 }));

    // Another try only where it cannot do harm twice and may help: a connection that failed, no
    // answer in time, 502/503/504 — and not when the upstream asks us to wait longer than we would.
    const maxDelaySeconds = retryOptions.maxDelayMs / 1000;
    const retryPolicy = retry(
      handleWhen(
        (error) =>
          error instanceof AttemptFailure &&
          (error.kind === 'connection' ||
            error.kind === 'timeout' ||
            (error.kind === 'status' &&
              RETRYABLE_STATUSES.has(error.status ?? 0) &&
              (error.retryAfterSeconds ?? 0) <= maxDelaySeconds)),
      ),
      {
        maxAttempts: retryOptions.maxRetries,
        backoff: new ExponentialBackoff({
          initialDelay: retryOptions.initialDelayMs,
          maxDelay: retryOptions.maxDelayMs,
        }),
      },
    );
    retryPolicy.onRetry((event) => {
      const failure = 'error' in event && event.error instanceof AttemptFailure ? event.error : undefined;
      events.retrying(upstream, failure, event.delay);
    });
    this.idempotent = wrap(retryPolicy, this.breaker);
    // Aggressive: the budget ends the call even when an attempt ignores its abort signal. Not
    // aborted on return: nothing listens by then, and each abort costs a DOMException (measured:
    // ~3% of a call's CPU).
    this.budget = timeout(callBudgetMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  }

  /**
   * Runs `body` within the call's time budget. `body` gets `run`, which makes one attempt through
   * the breaker — with retries when `idempotent` — and may be called again (a retry after a
   * refreshed token). Throws BrokenCircuitError (circuit open), TaskCancelledError (budget spent),
   * the last AttemptFailure, or whatever `body` throws.
   */
  execute<T>(
    idempotent: boolean,
    body: (run: <R>(attempt: (signal: AbortSignal) => Promise<R>) => Promise<R>) => Promise<T>,
  ): Promise<T> {
    return this.budget.execute(({ signal: budgetSignal }) =>
      body((attempt) => {
        const policy = idempotent ? this.idempotent : this.breaker;
        return policy.execute(({ signal }) => attempt(signal), budgetSignal);
      }),
    );
  }

  get state(): BreakerState {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  /** While open: whole seconds until a trial call is let through (at least 1). */
  secondsUntilHalfOpen(now = Date.now()): number {
    const remaining = this.openedAt + this.options.breaker.halfOpenAfterMs - now;
    return Math.max(1, Math.ceil(remaining / 1000));
  }
}

export function isCircuitOpen(error: unknown): error is BrokenCircuitError {
  return error instanceof BrokenCircuitError;
}

export function isBudgetSpent(error: unknown): error is TaskCancelledError {
  return error instanceof TaskCancelledError;
}
