import { type Readable, Transform } from 'node:stream';
import type { JwtVerificationService, Principal } from '@helpline/auth';
import { AuthError } from '@helpline/auth';
import { AppError, sendProblem } from '@helpline/common';
import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, handleWhen } from 'cockatiel';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ApiKeysService, ValidKey } from '../api-keys/api-keys.service.js';
import type { EdgeConfig, PublicRoute, UpstreamName } from '../config.js';
import type { UsageLimiter } from '../limits/usage-limiter.js';
import type { AccessEntry, AccessLog } from './access-log.js';
import type { EdgeMetrics } from './edge.metrics.js';
import { CallerGone, Upstream } from './forwarder.js';
import { ROUTE_PREFIXES } from './routes.js';
import {
  bodyRefused,
  invalidApiKey,
  limited,
  payloadTooLarge,
  unforwardable,
  type UpstreamFailure,
  upstreamProblem,
} from './edge-errors.js';

export interface EdgeDeps {
  edge: EdgeConfig;
  upstreams: Record<UpstreamName, string>;
  bodyLimitBytes: number;
  verifier: JwtVerificationService;
  limiter: UsageLimiter;
  apiKeys: ApiKeysService;
  metrics: EdgeMetrics;
  accessLog: AccessLog;
  /** Counts a request in the request metrics (by method, route template and status). */
  observe: (method: string, route: string, statusCode: number, seconds: number) => void;
  /** The edge's own failures. */
  log: Logger;
}

/** The methods the proxy routes take; an OPTIONS request is a CORS preflight, answered at the edge. */
const PROXIED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** What the access log line says about a request, filled in as the edge learns it. */
interface EdgeState {
  /** The route template (`/products/*`), for the metrics and the access log. */
  route: string;
  upstream?: UpstreamName;
  caller?: string;
  apiKeyId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    edgeState?: EdgeState;
  }
}

const BEARER = /^Bearer +([^\s]+) *$/i;

/**
 * The proxy routes, on the edge's own Fastify instance (mount-edge.ts): each request pays only for
 * what the edge does — the API key, the token (verified once and then cached until it expires),
 * the usage plan, and the proxying, with bodies streamed through untouched. Registered in their
 * own plugin context, so that only these routes take any body as a stream.
 */
export async function registerEdge(fastify: FastifyInstance, deps: EdgeDeps): Promise<void> {
  const isPublic = publicRouteMatcher(deps.edge.publicRoutes);
  const breakers = new Map(
    (Object.keys(deps.upstreams) as UpstreamName[]).map((name) => {
      const breaker = circuitBreaker(UPSTREAM_FAULT, {
        halfOpenAfter: deps.edge.breakerHalfOpenMs,
        breaker: new ConsecutiveBreaker(deps.edge.breakerFailures),
      });
      breaker.onStateChange((state) => deps.metrics.circuit(name, state));
      return [name, breaker] as const;
    }),
  );

  const upstreams = new Map(
    (Object.keys(deps.upstreams) as UpstreamName[]).map((name) => [
      name,
      new Upstream(name, deps.upstreams[name], { timeoutMs: deps.edge.upstreamTimeoutMs, connections: 128 }),
    ]),
  );
  fastify.addHook('onClose', async () => {
    await Promise.all([...upstreams.values()].map((upstream) => upstream.close()));
  });

  await fastify.register(async (edge) => {
    // Bodies pass through as the raw stream, never parsed and serialised again.
    edge.removeAllContentTypeParsers();
    edge.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    // The edge's own 5xx answers (an upstream down) are expected in an outage: one warning line
    // each, without a stack; anything else that fails is a bug, logged in full.
    const errors = {
      error: (fields: { err?: unknown; code?: string; correlationId?: string }, message: string) => {
        const err = fields.err;
        if (err instanceof AppError) {
          const cause = err.cause instanceof Error ? err.cause.message : undefined;
          deps.log.warn(
            { code: fields.code, ...err.extra, cause, correlationId: fields.correlationId },
            message,
          );
        } else {
          deps.log.error(fields, message);
        }
      },
    };
    edge.setErrorHandler((error, request, reply) => sendProblem(error, request, reply, errors));

    for (const [prefix, upstream] of Object.entries(ROUTE_PREFIXES)) {
      for (const url of [prefix, `${prefix}/*`]) {
        edge.route({
          method: PROXIED_METHODS,
          url,
          handler: (request, reply) => proxy(request, reply, upstream, url),
        });
      }
    }
  });

  // One hook for every answer of the edge instance (preflights and 404s too): the request metrics
  // and the access line.
  const entryOf = (request: FastifyRequest): AccessEntry => {
    const state = request.edgeState;
    return {
      correlationId: request.id,
      method: request.method,
      route: state?.route ?? request.routeOptions.url ?? 'unmatched',
      upstream: state?.upstream,
      caller: state?.caller,
      apiKeyId: state?.apiKeyId,
    };
  };
  fastify.addHook('onResponse', (request, reply, done) => {
    const entry = entryOf(request);
    const elapsedMs = reply.elapsedTime;
    entry.status = reply.statusCode;
    entry.durationMs = Math.round(elapsedMs * 10) / 10;
    deps.observe(request.method, entry.route, reply.statusCode, elapsedMs / 1000);
    deps.accessLog.answered(entry);
    done();
  });
  // The caller closed the connection before the whole answer was sent: no onResponse follows.
  fastify.addHook('onRequestAbort', (request, done) => {
    deps.accessLog.aborted(entryOf(request));
    done();
  });

  async function proxy(request: FastifyRequest, reply: FastifyReply, upstream: UpstreamName, route: string) {
    const state: EdgeState = { route, upstream };
    request.edgeState = state;
    const body = meterBody(request, deps.bodyLimitBytes);

    // Each step is answered from memory when it can (a key and a token seen before, counters in
    // this process), so that the common request waits for nothing but the upstream.
    const key = request.headers['x-api-key'];
    let apiKey: ValidKey | undefined;
    if (key !== undefined) {
      const known = typeof key === 'string' ? deps.apiKeys.checkCached(key) : false;
      apiKey = known === undefined ? await deps.apiKeys.check(key as string) : known || undefined;
      if (!apiKey) throw invalidApiKey();
      state.apiKeyId = apiKey.id;
    }

    let principal: Principal | undefined;
    const authorization = request.headers.authorization;
    if (authorization || !isPublic(request.method, route)) {
      const token = typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
      principal =
        (token && deps.verifier.verifyCached(token)) || (await authenticate(token, reply, deps.verifier));
      state.caller = principal.sub;
    }

    const decided = deps.limiter.decide(
      { ...(apiKey ? { apiKey } : {}), ...(principal ? { user: principal.sub } : {}), ip: request.ip },
      request.method,
      route,
    );
    const decision = decided instanceof Promise ? await decided : decided;
    if (decision.policy) {
      void reply.header('ratelimit-policy', decision.policy).header('ratelimit', decision.rateLimit);
    }
    if (!decision.allowed) {
      deps.metrics.limited(decision.code as string);
      throw limited(decision.code!, decision.retryAfterSeconds!);
    }

    // A small body is forwarded once it has all arrived (see meterBody); its caller may have gone
    // while it was awaited.
    const payload = body?.whole ? await body.whole : body?.stream;
    if (body?.whole && payload === undefined) throw unforwardable(new CallerGone());

    const call = upstreams.get(upstream)!;
    try {
      // Each failure is sorted out here: the caller's (not the upstream's health) or the upstream's.
      await breakers.get(upstream)!.execute(() =>
        call.forward(request, reply, { withheld: WITHHELD, body: payload }).catch((error: unknown) => {
          throw callerFault(error, body, request, deps.bodyLimitBytes) ?? error;
        }),
      );
    } catch (error) {
      if (error instanceof CallerFault) throw error.answer;
      const kind =
        error instanceof BrokenCircuitError ? 'circuit-open' : (failureKind(error) as UpstreamFailure);
      deps.metrics.upstreamError(upstream, kind);
      throw upstreamProblem(upstream, kind, error);
    }
  }
}

/** A failed proxy call that says nothing about the upstream's health, and what to answer. */
class CallerFault extends Error {
  constructor(readonly answer: AppError) {
    super(answer.message);
  }
}

/**
 * When a proxy call failed because of what the caller sent, or did: a body over the limit; a
 * header the call cannot carry; the caller gone; or a body the upstream stopped reading before its
 * end — it answers 413 to a body over its own limit and closes the connection, and the call fails
 * writing (EPIPE) before it can read that answer. None of these says the upstream is unwell.
 */
function callerFault(
  error: unknown,
  body: BodyMeter | undefined,
  request: FastifyRequest,
  limit: number,
): CallerFault | undefined {
  if (body?.exceeded) return new CallerFault(payloadTooLarge(limit));
  if (error instanceof CallerGone || request.raw.destroyed) return new CallerFault(unforwardable(error));
  const kind = failureKind(error);
  if (kind === 'rejected') return new CallerFault(unforwardable(error));
  const code = codeOf(error);
  if (body && !body.delivered && (code === 'EPIPE' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET')) {
    return new CallerFault(bodyRefused());
  }
  return undefined;
}

/**
 * What opens an upstream's circuit: failing to reach it or get its answer, and the answers that
 * say it is down or overloaded (502, 503, 504). Other answers, 500 included, are passed on.
 */
const UPSTREAM_FAULT = handleWhen((error) => !(error instanceof CallerFault)).orWhenResult(
  (status) => status === 502 || status === 503 || status === 504,
);

/** The caller's verified token; a 401 problem (with the challenge) or a 503 when keys cannot be had. */
async function authenticate(
  token: string | undefined,
  reply: FastifyReply,
  verifier: JwtVerificationService,
): Promise<Principal> {
  try {
    return await verifier.verify(token ?? '');
  } catch (error) {
    if (error instanceof AuthError) {
      if (error.status === 401) {
        void reply.header('www-authenticate', token ? 'Bearer error="invalid_token"' : 'Bearer');
      }
      throw error.toHttpException();
    }
    throw error;
  }
}

/** What the caller sends for the edge alone: the API key. */
const WITHHELD: ReadonlySet<string> = new Set(['x-api-key']);

type FailureKind = 'refused' | 'failed' | 'timeout' | 'rejected';

/** undici's error code, or that of the system call under it. */
function codeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof e?.code === 'string' ? e.code : e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const REFUSALS = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

function failureKind(error: unknown): FailureKind {
  const code = codeOf(error);
  if (code === undefined) return 'failed';
  // The upstream call refused what the caller sent (a header or path it cannot carry).
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') return 'rejected';
  if (TIMEOUTS.has(code)) return 'timeout';
  if (REFUSALS.has(code)) return 'refused';
  return 'failed';
}

interface BodyMeter {
  /** More than the limit was sent without a declared length, and the body was broken off. */
  exceeded: boolean;
  /** The upstream call has taken all of the body. */
  delivered: boolean;
  /** What the upstream call sends: the body as it arrives... */
  stream?: Readable;
  /** ...or, for a small one, the whole of it once it has arrived; undefined if the caller goes first. */
  whole?: Promise<Buffer | undefined>;
}

/**
 * The largest body forwarded whole rather than as a stream, as nginx's `proxy_request_buffering`
 * does for every body: a stream costs the upstream call about as much CPU again as the rest of a
 * proxied request (measured: a small POST 250 µs streamed, 165 µs whole, 150 µs for a GET), and is worth it only
 * for a body too large to hold. Held bodies are at most this times the connections in flight.
 */
export const WHOLE_BODY_MAX_BYTES = 64 * 1024;

/**
 * A body whose declared length is over `limit` is refused at once; one within it is passed on as
 * it is (Node's parser delivers no more than the declared length): whole when it is small, as a
 * stream otherwise. A body sent without a length goes through a meter that breaks it off once
 * more than `limit` bytes have gone by. Either way, the meter tells whether the upstream took all
 * of it (a body sent whole goes in the same write as the headers: the upstream has it, or the
 * connection failed).
 */
function meterBody(request: FastifyRequest, limit: number): BodyMeter | undefined {
  const length = request.headers['content-length'];
  const declared = Number(length);
  if (declared > limit) throw payloadTooLarge(limit);
  if (!request.body) return undefined;
  const body = request.body as Readable;
  if (length !== undefined && Number.isSafeInteger(declared)) {
    if (declared <= WHOLE_BODY_MAX_BYTES) {
      return { exceeded: false, delivered: true, whole: readWhole(body, declared) };
    }
    const passed: BodyMeter = { exceeded: false, delivered: false, stream: body };
    body.once('end', () => {
      passed.delivered = true;
    });
    return passed;
  }
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) {
        meter.exceeded = true;
        return callback(new Error('request body over the limit'));
      }
      callback(null, chunk);
    },
  });
  const meter: BodyMeter = { exceeded: false, delivered: false, stream: counter };
  counter.once('end', () => {
    meter.delivered = true;
  });
  body.pipe(counter);
  return meter;
}

/**
 * All of a body of `length` bytes; undefined when the caller closes the connection before its end.
 * It never rejects: it is awaited only once the request is let through, if at all.
 */
function readWhole(body: Readable, length: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    body.once('end', () => {
      if (size !== length) resolve(undefined);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    // After 'end' these settle nothing; before it, the caller went away mid-body.
    body.once('error', () => resolve(undefined));
    body.once('close', () => resolve(undefined));
  });
}

function publicRouteMatcher(routes: PublicRoute[]): (method: string, route: string) => boolean {
  if (routes.length === 0) return () => false;
  const keys = new Set(routes.map((r) => `${r.method} ${r.path}`));
  return (method, route) => keys.has(`${method} ${route}`);
}
