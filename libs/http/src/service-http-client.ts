import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { M2M_TOKEN_UNAVAILABLE } from '@helpline/auth';
import { CORRELATION_ID_HEADER, MetricsService, RequestContext } from '@helpline/common';
import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import type { Dispatcher } from 'undici';
import {
  HTTP_CLIENT_DISPATCHER,
  HTTP_CLIENT_OPTIONS,
  HTTP_CLIENT_TOKEN_SOURCE,
} from './http-client.constants.js';
import { HttpClientMetrics } from './http-client.metrics.js';
import { MAX_RETRY_AFTER_SECONDS, type ResolvedHttpClientOptions } from './http-client.options.js';
import {
  parseRetryAfter,
  readUpstreamProblem,
  UPSTREAM_ERROR_CODES,
  UpstreamError,
  type UpstreamErrorDetails,
} from './upstream-error.js';
import {
  AttemptFailure,
  type BreakerState,
  isBudgetSpent,
  isCircuitOpen,
  UpstreamPolicy,
} from './upstream-policy.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Which token a call carries:
 * - `auto` (default): the caller's Authorization (token passthrough, so the upstream authorises the
 *   person); with no caller token (background work, a public route), the service's own token.
 * - `caller`: the caller's, or fail with 401 TOKEN_MISSING — never the service's.
 * - `service`: the service's own client-credentials token, acting on its own behalf.
 */
export type UpstreamAuth = 'auto' | 'caller' | 'service';

export type QueryValue = string | number | boolean | null | undefined;

export interface CallOptions {
  /** Default `auto`. */
  auth?: UpstreamAuth;
  /** Query parameters (values are encoded; null and undefined are left out). */
  query?: Record<string, QueryValue>;
  /** Extra request headers. Authorization and x-correlation-id are always the client's own. */
  headers?: Record<string, string>;
  /**
   * Sent as `Idempotency-Key`; it makes the call retryable whatever its method, since the upstream
   * then performs it at most once.
   */
  idempotencyKey?: string;
  /**
   * Whether the call may be retried. Default: true for GET, HEAD, PUT and DELETE, and for any call
   * with an idempotencyKey; false for POST and PATCH.
   */
  idempotent?: boolean;
  /** 4xx statuses passed on as the upstream sent them; replaces the module's list for this call. */
  passThroughStatuses?: readonly number[];
}

export interface UpstreamRequest extends CallOptions {
  upstream: string;
  method: HttpMethod;
  /** Origin-relative path under the upstream's base URL: `/users/42`. See encodePath. */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
}

export interface UpstreamResponse<T> {
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body; undefined when there was none (204). */
  data: T;
}

/** What a service token source must do: M2MTokenService has both. */
export interface ServiceTokenSource {
  getServiceToken(): Promise<string>;
  clearCache(): void;
}

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

// Errors of the connection itself: nothing (or nothing usable) came back. Worth a retry.
const CONNECTION_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
]);
const TIMEOUT_ERRORS: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
// undici's name for a connection the other side closed or reset mid-request.
const SOCKET_ERRORS: ReadonlySet<string> = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
// Headers the client sets itself: a caller cannot replace the credentials or the correlation id.
const RESERVED_HEADERS: ReadonlySet<string> = new Set(['authorization', CORRELATION_ID_HEADER, 'host']);

type Credentials = { kind: 'caller'; authorization: string } | { kind: 'service' };

/** One attempt's request, as the transport sends it. */
interface AttemptRequest {
  method: HttpMethod;
  /** The upstream's origin, `http://host:port`. */
  origin: string;
  /** Path and query string under the origin. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** One attempt's answer: any status, headers, and the body parsed as JSON when it is JSON. */
interface AttemptResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: unknown;
}

interface Call {
  upstream: string;
  method: HttpMethod;
  /** The path without its query string: what logs and metrics may show. */
  logPath: string;
  correlationId: string;
  /** True when there is no request context: background work. */
  background: boolean;
  attempts: number;
}

/**
 * Calls to other helpline services (seed: ServiceHttpClient), by upstream name:
 * `client.get<User>('user-service', '/users/' + id)`.
 *
 * A singleton: the caller's correlation id and Authorization come from RequestContext
 * (AsyncLocalStorage), not from a request-scoped provider. Every call carries x-correlation-id
 * (the request's, or a fresh UUID for background work) and a bearer token (see UpstreamAuth); goes
 * through the upstream's circuit breaker, retries and time budget (UpstreamPolicy); and fails with
 * an UpstreamError — a problem with a stable code and `upstream` — logged in one line.
 */
@Injectable()
export class ServiceHttpClient implements OnModuleDestroy {
  private readonly logger = new Logger('ServiceHttpClient');
  private readonly policies = new Map<string, UpstreamPolicy>();
  private readonly metrics?: HttpClientMetrics;

  constructor(
    @Inject(HTTP_CLIENT_DISPATCHER) private readonly dispatcher: Dispatcher,
    @Inject(HTTP_CLIENT_OPTIONS) private readonly options: ResolvedHttpClientOptions,
    @Optional() @Inject(HTTP_CLIENT_TOKEN_SOURCE) private readonly tokens?: ServiceTokenSource | null,
    @Optional() metricsService?: MetricsService,
  ) {
    if (metricsService) {
      this.metrics = new HttpClientMetrics(metricsService.registry);
      this.metrics.init(options.upstreams.keys());
    }
    const events = {
      stateChanged: (upstream: string, state: BreakerState, detail: { failures: number; openMs: number }) => {
        this.metrics?.circuitState(upstream, state);
        if (state === 'open') {
          this.logger.warn(
            { upstream, circuit: state },
            `circuit to ${upstream} opened: calls fail fast for ${detail.openMs} ms`,
          );
        } else {
          this.logger.log({ upstream, circuit: state }, `circuit to ${upstream} is ${state}`);
        }
      },
      retrying: (upstream: string, failure: AttemptFailure | undefined, delayMs: number) => {
        this.metrics?.retried(upstream);
        this.logger.debug(
          { upstream, reason: failure?.reason, delayMs: Math.round(delayMs) },
          `retrying ${upstream} in ${Math.round(delayMs)} ms after ${failure?.reason ?? 'a failure'}`,
        );
      },
    };
    for (const upstream of options.upstreams.keys()) {
      this.policies.set(upstream, new UpstreamPolicy(upstream, options, events));
    }
  }

  get<T>(upstream: string, path: string, options: CallOptions = {}): Promise<T> {
    return this.data<T>({ ...options, upstream, method: 'GET', path });
  }

  post<T>(upstream: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
    return this.data<T>({ ...options, upstream, method: 'POST', path, body });
  }

  put<T>(upstream: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
    return this.data<T>({ ...options, upstream, method: 'PUT', path, body });
  }

  patch<T>(upstream: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
    return this.data<T>({ ...options, upstream, method: 'PATCH', path, body });
  }

  delete<T = void>(upstream: string, path: string, options: CallOptions = {}): Promise<T> {
    return this.data<T>({ ...options, upstream, method: 'DELETE', path });
  }

  /** The state of an upstream's circuit breaker. */
  circuitState(upstream: string): BreakerState {
    return this.policyFor(upstream).state;
  }

  /** Any call, answered with status, headers and body (e.g. to tell 201 from 200). */
  async request<T>(request: UpstreamRequest): Promise<UpstreamResponse<T>> {
    const response = await this.send(request);
    return { status: response.status, headers: plainHeaders(response.headers), data: response.data as T };
  }

  async onModuleDestroy(): Promise<void> {
    // Idle keep-alive sockets would keep the process (and a test's upstream server) open.
    await this.dispatcher.destroy();
  }

  private async data<T>(request: UpstreamRequest): Promise<T> {
    return (await this.send(request)).data as T;
  }

  private async send(request: UpstreamRequest): Promise<AttemptResponse> {
    const policy = this.policyFor(request.upstream);
    const base = this.options.upstreams.get(request.upstream) as URL;
    const path = withQuery(upstreamPath(base, request.path), definedQuery(request.query));
    const body =
      request.body === undefined
        ? undefined
        : typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body);
    const context = RequestContext.current();
    const call: Call = {
      upstream: request.upstream,
      method: request.method,
      logPath: request.path.split('?')[0] as string,
      correlationId: context?.correlationId ?? randomUUID(),
      background: context === undefined,
      attempts: 0,
    };
    const idempotencyKey = request.idempotencyKey;
    const idempotent = request.idempotent ?? (IDEMPOTENT_METHODS.has(request.method) || !!idempotencyKey);
    const started = performance.now();

    try {
      const credentials = this.credentialsFor(request.auth ?? 'auto', context?.authorization, call);
      const response = await policy.execute(idempotent, async (run) => {
        const send = (authorization: string) =>
          run((signal) => {
            call.attempts++;
            return this.attempt(
              {
                method: request.method,
                origin: base.origin,
                path,
                body,
                headers: {
                  accept: 'application/json',
                  // Without a body, no content type: a service that takes JSON only would refuse
                  // anything else with 415.
                  ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
                  ...ownHeaders(request.headers),
                  ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
                  authorization,
                  [CORRELATION_ID_HEADER]: call.correlationId,
                },
              },
              signal,
            );
          });

        if (credentials.kind === 'caller') return send(credentials.authorization);
        const first = await send(`Bearer ${await this.serviceToken(call)}`);
        if (first.status !== 401) return first;
        // Our token was refused: it may have been revoked or its signing key rotated. Once, with
        // a fresh one; the upstream did not act on a request it did not authenticate.
        this.tokens?.clearCache();
        return send(`Bearer ${await this.serviceToken(call)}`);
      });

      if (response.status >= 200 && response.status < 300) {
        this.metrics?.observe(call.upstream, call.method, String(response.status), elapsed(started) / 1000);
        return response;
      }
      throw this.responseError(
        response,
        call,
        request.passThroughStatuses ?? this.options.passThroughStatuses,
      );
    } catch (error) {
      const failure = this.toUpstreamError(error, call, policy);
      const durationMs = elapsed(started);
      this.metrics?.observe(call.upstream, call.method, outcomeOf(failure), durationMs / 1000);
      this.logFailure(failure, call, durationMs);
      throw failure;
    }
  }

  /** One attempt: an answer (any status below 500), or an AttemptFailure. */
  private async attempt(request: AttemptRequest, signal: AbortSignal): Promise<AttemptResponse> {
    const timeoutMs = this.options.timeoutMs;
    if (signal.aborted) throw new AttemptFailure('timeout', 'budget', 'the call budget was spent');
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    const timer = setTimeout(abort, timeoutMs);
    try {
      // The time limit covers the whole attempt, the body included: the signal aborts its reading.
      const answer = await this.dispatcher.request({
        origin: request.origin,
        path: request.path,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
      });
      const response: AttemptResponse = {
        status: answer.statusCode,
        headers: answer.headers,
        data: parseBody(await readBody(answer.body, this.options.maxResponseBytes)),
      };
      if (response.status >= 500) {
        throw new AttemptFailure(
          'status',
          `http_${response.status}`,
          `answered ${response.status}`,
          response.status,
          parseRetryAfter(firstValue(response.headers['retry-after']), MAX_RETRY_AFTER_SECONDS),
        );
      }
      return response;
    } catch (error) {
      if (error instanceof AttemptFailure) throw error;
      throw transportFailure(error, controller.signal.aborted, timeoutMs);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    }
  }

  private credentialsFor(
    auth: UpstreamAuth,
    callerAuthorization: string | undefined,
    call: Call,
  ): Credentials {
    if (auth !== 'service' && callerAuthorization)
      return { kind: 'caller', authorization: callerAuthorization };
    if (auth === 'caller') {
      throw new UpstreamError(
        401,
        'TOKEN_MISSING',
        `Calling ${call.upstream} needs the caller's bearer token, and this request has none`,
        { upstream: call.upstream, correlationId: call.correlationId, reason: 'no_caller_token' },
      );
    }
    if (!this.tokens) {
      throw new UpstreamError(
        500,
        UPSTREAM_ERROR_CODES.authUnavailable,
        `No credentials to call ${call.upstream}: ` +
          (auth === 'service' ? 'a service token was asked for' : 'there is no caller token') +
          ' and no M2M token source is configured (HttpClientModule.forRoot({ m2m }) or M2MTokenModule)',
        { upstream: call.upstream, correlationId: call.correlationId, reason: 'no_credentials' },
      );
    }
    return { kind: 'service' };
  }

  private async serviceToken(call: Call): Promise<string> {
    try {
      return await (this.tokens as ServiceTokenSource).getServiceToken();
    } catch (error) {
      // The token endpoint's failure (its host and what went wrong, never a secret) is in `cause`,
      // for the log; the problem says only that there was no token.
      throw new UpstreamError(
        503,
        M2M_TOKEN_UNAVAILABLE,
        `No service token could be obtained to call ${call.upstream}`,
        {
          upstream: call.upstream,
          correlationId: call.correlationId,
          reason: 'm2m_token',
          retryAfterSeconds: this.options.retryAfterSeconds,
          cause: error instanceof Error ? safeCause(error) : undefined,
        },
      );
    }
  }

  /** A non-2xx answer below 500 (5xx are AttemptFailures) → the problem for our caller. */
  private responseError(
    response: AttemptResponse,
    call: Call,
    passThrough: readonly number[],
  ): UpstreamError {
    const status = response.status;
    const { upstream } = call;
    const problem = readUpstreamProblem(response.data);
    const details: UpstreamErrorDetails = {
      upstream,
      correlationId: call.correlationId,
      upstreamStatus: status,
      upstreamBody: response.data,
      ...(problem.code ? { upstreamCode: problem.code } : {}),
      extra: {
        ...(problem.code ? { upstreamCode: problem.code } : {}),
        ...(problem.errors ? { errors: problem.errors } : {}),
      },
    };
    if (passThrough.includes(status)) {
      return new UpstreamError(
        status,
        problem.code ?? UPSTREAM_ERROR_CODES.rejected,
        problem.detail ?? `${upstream} refused the request (${status})`,
        details,
      );
    }
    switch (status) {
      case 400:
        return new UpstreamError(
          400,
          UPSTREAM_ERROR_CODES.badRequest,
          `${upstream} refused the request${problem.detail ? `: ${problem.detail}` : ''}`,
          details,
        );
      case 401:
      case 403:
        return new UpstreamError(
          403,
          UPSTREAM_ERROR_CODES.forbidden,
          `${upstream} refused access (${status})`,
          details,
        );
      case 404:
        return new UpstreamError(
          404,
          UPSTREAM_ERROR_CODES.notFound,
          problem.detail ? `${upstream}: ${problem.detail}` : `${upstream} has no such resource`,
          details,
        );
      default:
        return new UpstreamError(
          503,
          UPSTREAM_ERROR_CODES.unavailable,
          `${upstream} returned error: ${status}`,
          {
            ...details,
            retryAfterSeconds: this.retryAfter(
              parseRetryAfter(firstValue(response.headers['retry-after']), MAX_RETRY_AFTER_SECONDS),
            ),
          },
        );
    }
  }

  private toUpstreamError(error: unknown, call: Call, policy: UpstreamPolicy): UpstreamError {
    if (error instanceof UpstreamError) return error;
    const { upstream, correlationId } = call;
    if (isCircuitOpen(error)) {
      return new UpstreamError(
        503,
        UPSTREAM_ERROR_CODES.circuitOpen,
        `${upstream} is unavailable (circuit open)`,
        {
          upstream,
          correlationId,
          reason: 'circuit_open',
          retryAfterSeconds: policy.secondsUntilHalfOpen(),
        },
      );
    }
    if (isBudgetSpent(error)) {
      return new UpstreamError(
        503,
        UPSTREAM_ERROR_CODES.timeout,
        `${upstream} did not answer within ${this.options.callBudgetMs} ms`,
        { upstream, correlationId, reason: 'budget', retryAfterSeconds: this.options.retryAfterSeconds },
      );
    }
    if (error instanceof AttemptFailure) {
      const common = { upstream, correlationId, reason: error.reason, cause: error };
      switch (error.kind) {
        case 'timeout':
          return new UpstreamError(
            503,
            UPSTREAM_ERROR_CODES.timeout,
            `${upstream} did not answer within ${this.options.timeoutMs} ms`,
            { ...common, retryAfterSeconds: this.options.retryAfterSeconds },
          );
        case 'status':
          return new UpstreamError(
            503,
            UPSTREAM_ERROR_CODES.unavailable,
            `${upstream} returned error: ${error.status}`,
            {
              ...common,
              upstreamStatus: error.status,
              retryAfterSeconds: this.retryAfter(error.retryAfterSeconds),
            },
          );
        case 'connection':
          return new UpstreamError(503, UPSTREAM_ERROR_CODES.unavailable, `${upstream} is unavailable`, {
            ...common,
            retryAfterSeconds: this.options.retryAfterSeconds,
          });
        default:
          return new UpstreamError(
            503,
            UPSTREAM_ERROR_CODES.unavailable,
            `Failed to connect to ${upstream}`,
            {
              ...common,
              retryAfterSeconds: this.options.retryAfterSeconds,
            },
          );
      }
    }
    // Not an upstream's failure: a bug here or in a token source. Left as it is (a 500).
    throw error;
  }

  private retryAfter(fromUpstream: number | undefined): number {
    return fromUpstream ?? this.options.retryAfterSeconds;
  }

  /** One line per failed call: never a header, a token or the query string. */
  private logFailure(error: UpstreamError, call: Call, durationMs: number): void {
    const fields = {
      upstream: call.upstream,
      method: call.method,
      path: call.logPath,
      code: error.code,
      ...(error.upstreamStatus !== undefined ? { status: error.upstreamStatus } : {}),
      ...(error.reason !== undefined ? { reason: error.reason } : {}),
      durationMs: Math.round(durationMs),
      attempts: call.attempts,
      // Within a request every log line already carries the request's correlationId.
      ...(call.background ? { correlationId: call.correlationId } : {}),
    };
    const message = `${call.method} ${call.upstream} ${call.logPath} failed: ${error.code} (${error.upstreamStatus ?? error.reason ?? error.status})`;
    if (error.status >= 500) this.logger.warn(fields, message);
    else this.logger.log(fields, message);
  }

  private policyFor(upstream: string): UpstreamPolicy {
    const policy = this.policies.get(upstream);
    if (!policy) {
      throw new Error(
        `Unknown upstream "${upstream}"; HttpClientModule knows ${[...this.policies.keys()].join(', ')}`,
      );
    }
    return policy;
  }
}

/** Builds `/users/${id}` with each value URI-encoded: `encodePath\`/users/${id}\``. */
export function encodePath(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  return strings.reduce(
    (path, text, i) => path + text + (i < values.length ? encodeURIComponent(String(values[i])) : ''),
    '',
  );
}

// `.` and `..` segments, encoded or not: URL parsing would resolve them and leave the base path.
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

/** `path` under `base`'s path (origin left out); refuses anything that could leave the upstream. */
function upstreamPath(base: URL, path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.includes('\\')) {
    throw new Error(`An upstream path must start with a single "/", got ${JSON.stringify(path)}`);
  }
  const [pathname] = path.split('?') as [string];
  if (DOT_SEGMENT.test(pathname) || path.includes('#')) {
    throw new Error(
      `An upstream path may not hold "." or ".." segments or a fragment: ${JSON.stringify(pathname)}`,
    );
  }
  return `${base.pathname.replace(/\/$/, '')}${path}`;
}

/** The query parameters appended to the path (after any query string it already has). */
function withQuery(path: string, query: Record<string, string> | undefined): string {
  if (!query) return path;
  const search = new URLSearchParams(query).toString();
  if (search === '') return path;
  return `${path}${path.includes('?') ? '&' : '?'}${search}`;
}

/** The body, up to `maxBytes` (an upstream must not exhaust our memory). */
async function readBody(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw Object.assign(new Error(`the response is larger than ${maxBytes} bytes`), {
        code: 'ERR_RESPONSE_TOO_LARGE',
      });
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1
    ? (chunks[0] as Buffer).toString('utf8')
    : Buffer.concat(chunks).toString('utf8');
}

/** JSON when it is JSON; otherwise the text as it came; undefined when there was none (204). */
function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function definedQuery(query: Record<string, QueryValue> | undefined): Record<string, string> | undefined {
  if (!query) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null) out[key] = String(value);
  return out;
}

function ownHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  if (!headers) return {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!RESERVED_HEADERS.has(name.toLowerCase())) out[name.toLowerCase()] = value;
  }
  return out;
}

function plainHeaders(headers: AttemptResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.join(', ');
    else if (typeof value === 'number') out[name] = String(value);
  }
  return out;
}

/** A transport error (any status is an answer, not an error) → an AttemptFailure. */
function transportFailure(error: unknown, abortedByUs: boolean, timeoutMs: number): AttemptFailure {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (abortedByUs || (typeof code === 'string' && TIMEOUT_ERRORS.has(code))) {
    return new AttemptFailure('timeout', 'timeout', `no answer within ${timeoutMs} ms`);
  }
  if (typeof code === 'string' && CONNECTION_ERRORS.has(code)) {
    return new AttemptFailure('connection', code, describe(error));
  }
  if (typeof code === 'string' && SOCKET_ERRORS.has(code)) {
    // The connection was closed or reset under the request: reported as a reset, as Node's own
    // HTTP client does.
    const cause = (error as { cause?: { code?: unknown } }).cause?.code;
    return new AttemptFailure(
      'connection',
      typeof cause === 'string' && CONNECTION_ERRORS.has(cause) ? cause : 'ECONNRESET',
      describe(error),
    );
  }
  return new AttemptFailure('other', typeof code === 'string' ? code : 'unknown', describe(error));
}

/** The message of a transport error, never the error: it may hold our request's headers. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function safeCause(error: Error): Error {
  const cause = new Error(error.message);
  cause.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(cause, { code });
  return cause;
}

function outcomeOf(error: UpstreamError): string {
  if (error.upstreamStatus !== undefined) return String(error.upstreamStatus);
  switch (error.code) {
    case UPSTREAM_ERROR_CODES.timeout:
      return 'timeout';
    case UPSTREAM_ERROR_CODES.circuitOpen:
      return 'circuit_open';
    case UPSTREAM_ERROR_CODES.unavailable:
      return 'unavailable';
    default:
      return 'not_sent';
  }
}

function elapsed(started: number): number {
  return performance.now() - started;
}
