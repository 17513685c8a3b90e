import type { M2MTokenOptions, M2MTokenService } from '@helpline/auth';

/** The longest one attempt may take (the seed's `timeout: 5000`). */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** Redirects followed per attempt (the seed's `maxRedirects: 5`). */
export const DEFAULT_MAX_REDIRECTS = 5;
/** Retries after the first attempt of an idempotent call: at most 3 attempts in all. */
export const DEFAULT_RETRY_MAX_RETRIES = 2;
/** Exponential backoff with decorrelated jitter: the first delay is around this, in ms… */
export const DEFAULT_RETRY_INITIAL_DELAY_MS = 100;
/** …and no delay is longer than this. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 1_000;
/** The whole call, every attempt and backoff included, ends after this long. */
export const DEFAULT_CALL_BUDGET_MS = 10_000;
/** Consecutive failed attempts (connection errors, timeouts, 5xx) that open an upstream's circuit. */
export const DEFAULT_BREAKER_CONSECUTIVE_FAILURES = 5;
/** An open circuit lets one trial call through after this long (half-open). */
export const DEFAULT_BREAKER_HALF_OPEN_AFTER_MS = 10_000;
/** `Retry-After` of our 503s when the upstream gave none (the database's is 5 s too). */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;
/** The most seconds of an upstream's own Retry-After we pass on. */
export const MAX_RETRY_AFTER_SECONDS = 3_600;
/** Upstream statuses passed on to our caller as they are (status, code, detail, errors). */
export const DEFAULT_PASS_THROUGH_STATUSES: readonly number[] = [409, 422];
/** Sockets per upstream host, in use and idle. */
export const DEFAULT_MAX_SOCKETS = 64;
/** Idle keep-alive sockets kept per upstream host. */
export const DEFAULT_MAX_FREE_SOCKETS = 16;
/**
 * An idle keep-alive socket is closed after this long — or sooner when the upstream announces a
 * shorter `Keep-Alive: timeout=` (Node's agent honours the hint), so that we rarely reuse a socket
 * the server is closing.
 */
export const DEFAULT_FREE_SOCKET_TIMEOUT_MS = 30_000;
/** Larger upstream responses are refused (an upstream must not exhaust our memory). */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface RetryOptions {
  /** Retries after the first attempt; 0 turns retries off. Default {@link DEFAULT_RETRY_MAX_RETRIES}. */
  maxRetries?: number;
  /** Default {@link DEFAULT_RETRY_INITIAL_DELAY_MS}. */
  initialDelayMs?: number;
  /** Default {@link DEFAULT_RETRY_MAX_DELAY_MS}. */
  maxDelayMs?: number;
}

export interface BreakerOptions {
  /** Default {@link DEFAULT_BREAKER_CONSECUTIVE_FAILURES}. */
  consecutiveFailures?: number;
  /** Default {@link DEFAULT_BREAKER_HALF_OPEN_AFTER_MS}. */
  halfOpenAfterMs?: number;
}

export interface KeepAliveOptions {
  /** Default {@link DEFAULT_MAX_SOCKETS}. */
  maxSockets?: number;
  /**
   * Default {@link DEFAULT_MAX_FREE_SOCKETS}. Validated but not used since the client runs on
   * undici, whose Agent has no such bound: idle connections close after `freeSocketTimeoutMs`.
   */
  maxFreeSockets?: number;
  /** Default {@link DEFAULT_FREE_SOCKET_TIMEOUT_MS}. */
  freeSocketTimeoutMs?: number;
}

/** Where client-credentials tokens come from: a service, or the settings to build one. */
export type M2MTokenSource = Pick<M2MTokenService, 'getServiceToken' | 'clearCache'> | M2MTokenOptions;

export interface HttpClientModuleOptions {
  /** Upstream name → base URL (`{ 'user-service': 'http://user-service:3000' }`); see readUpstreamUrls. */
  upstreams: Record<string, string>;
  /** One attempt's time limit. Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** The whole call's time limit, retries included. Default {@link DEFAULT_CALL_BUDGET_MS}. */
  callBudgetMs?: number;
  /** Default {@link DEFAULT_MAX_REDIRECTS}. */
  maxRedirects?: number;
  /**
   * Tokens for calls without a caller (background work) or with `auth: 'service'`. Default: the
   * application's M2MTokenService (M2MTokenModule) when there is one.
   */
  m2m?: M2MTokenSource;
  retry?: RetryOptions;
  breaker?: BreakerOptions;
  keepAlive?: KeepAliveOptions;
  /** Default {@link DEFAULT_PASS_THROUGH_STATUSES}; a call's own option replaces it. */
  passThroughStatuses?: readonly number[];
  /** Default {@link DEFAULT_RETRY_AFTER_SECONDS}. */
  retryAfterSeconds?: number;
  /** Default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
}

/** The options with every default filled in. */
export interface ResolvedHttpClientOptions {
  upstreams: ReadonlyMap<string, URL>;
  timeoutMs: number;
  callBudgetMs: number;
  maxRedirects: number;
  retry: Required<RetryOptions>;
  breaker: Required<BreakerOptions>;
  keepAlive: Required<KeepAliveOptions>;
  passThroughStatuses: readonly number[];
  retryAfterSeconds: number;
  maxResponseBytes: number;
}

const UPSTREAM_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export function resolveHttpClientOptions(options: HttpClientModuleOptions): ResolvedHttpClientOptions {
  const problems = validateHttpClientOptions(options);
  if (problems.length > 0) throw new Error(`Invalid HttpClientModule options: ${problems.join('; ')}`);
  const upstreams = new Map<string, URL>();
  for (const [name, url] of Object.entries(options.upstreams)) upstreams.set(name, new URL(url));
  return {
    upstreams,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    callBudgetMs: options.callBudgetMs ?? DEFAULT_CALL_BUDGET_MS,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    retry: {
      maxRetries: options.retry?.maxRetries ?? DEFAULT_RETRY_MAX_RETRIES,
      initialDelayMs: options.retry?.initialDelayMs ?? DEFAULT_RETRY_INITIAL_DELAY_MS,
      maxDelayMs: options.retry?.maxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS,
    },
    breaker: {
      consecutiveFailures: options.breaker?.consecutiveFailures ?? DEFAULT_BREAKER_CONSECUTIVE_FAILURES,
      halfOpenAfterMs: options.breaker?.halfOpenAfterMs ?? DEFAULT_BREAKER_HALF_OPEN_AFTER_MS,
    },
    keepAlive: {
      maxSockets: options.keepAlive?.maxSockets ?? DEFAULT_MAX_SOCKETS,
      maxFreeSockets: options.keepAlive?.maxFreeSockets ?? DEFAULT_MAX_FREE_SOCKETS,
      freeSocketTimeoutMs: options.keepAlive?.freeSocketTimeoutMs ?? DEFAULT_FREE_SOCKET_TIMEOUT_MS,
    },
    passThroughStatuses: [...(options.passThroughStatuses ?? DEFAULT_PASS_THROUGH_STATUSES)],
    retryAfterSeconds: options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
}

/** Every problem with the options, one sentence each; empty when they are fine. */
export function validateHttpClientOptions(options: HttpClientModuleOptions): string[] {
  if (typeof options !== 'object' || options === null) return ['options are missing'];
  const problems: string[] = [];
  const upstreams = options.upstreams;
  if (typeof upstreams !== 'object' || upstreams === null || Object.keys(upstreams).length === 0) {
    problems.push('upstreams must name at least one upstream and its base URL');
  } else {
    for (const [name, url] of Object.entries(upstreams)) {
      if (!UPSTREAM_NAME.test(name)) problems.push(`upstream name "${name}" must be lower-case kebab-case`);
      const problem = baseUrlProblem(url);
      if (problem) problems.push(`upstream ${name}: ${problem}`);
    }
  }
  const positive = (name: string, value: number | undefined, min = 1) => {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < min)) {
      problems.push(`${name} must be a whole number ≥ ${min}`);
    }
  };
  positive('timeoutMs', options.timeoutMs);
  positive('callBudgetMs', options.callBudgetMs);
  positive('maxRedirects', options.maxRedirects, 0);
  positive('retry.maxRetries', options.retry?.maxRetries, 0);
  positive('retry.initialDelayMs', options.retry?.initialDelayMs, 0);
  positive('retry.maxDelayMs', options.retry?.maxDelayMs, 0);
  positive('breaker.consecutiveFailures', options.breaker?.consecutiveFailures);
  positive('breaker.halfOpenAfterMs', options.breaker?.halfOpenAfterMs);
  positive('keepAlive.maxSockets', options.keepAlive?.maxSockets);
  positive('keepAlive.maxFreeSockets', options.keepAlive?.maxFreeSockets, 0);
  positive('keepAlive.freeSocketTimeoutMs', options.keepAlive?.freeSocketTimeoutMs);
  positive('retryAfterSeconds', options.retryAfterSeconds, 0);
  positive('maxResponseBytes', options.maxResponseBytes);
  if (options.passThroughStatuses !== undefined) {
    const bad = options.passThroughStatuses.filter((s) => !Number.isInteger(s) || s < 400 || s > 499);
    if (bad.length > 0) problems.push(`passThroughStatuses must be 4xx statuses, got ${bad.join(', ')}`);
  }
  return problems;
}

/** Why a string cannot be an upstream's base URL, or undefined when it can. */
export function baseUrlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'a base URL is required';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL`;
  }
  // Credentials in the URL would be sent on every call and printed wherever the URL is.
  if (url.username || url.password) return 'the base URL must not hold credentials';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${value}" must be an http(s) URL`;
  if (url.search || url.hash) return `"${value}" must have no query string or fragment`;
  return undefined;
}
