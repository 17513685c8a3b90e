import type { OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Dispatcher, Pool } from 'undici';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1), which concern only one connection, plus those the gateway
 * sets itself: `Expect` is answered by the gateway's own server (100-continue), the upstream call
 * sets its own framing and `Host`, and `X-Forwarded-*` are this hop's.
 */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'http2-settings',
  'host',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
]);

/** Hop-by-hop response headers: Node's server sets its own framing and keep-alive. */
const NOT_RETURNED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface ForwardOptions {
  /** Headers of the caller's that stay at the edge (the API key), lower-case. */
  withheld: ReadonlySet<string>;
  /** The body to send: the caller's, whole or as a metered stream; none for a request without one. */
  body?: Readable | Buffer;
}

export interface UpstreamOptions {
  /** How long to wait for the answer's headers, and then between chunks of its body. */
  timeoutMs: number;
  connections: number;
}

/**
 * One upstream: a pool of keep-alive connections (undici, the client `@fastify/reply-from` itself
 * runs on), and the call that streams a request to it and its answer back to the caller.
 *
 * The answer is written straight to the caller's socket as it arrives, with the headers the edge
 * has set (CORS, rate limits, the correlation id) merged in; nothing is parsed or buffered. This
 * is the whole of the proxying, by design: reply-from's per-request URL building, header
 * objects and stream plumbing cost as much CPU again as this (README, "Design notes").
 */
export class Upstream {
  private readonly pool: Pool;

  constructor(
    readonly name: string,
    origin: string,
    options: UpstreamOptions,
  ) {
    this.pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /**
   * Sends the request on, and answers the caller with the upstream's answer. Resolves with the
   * upstream's status once its answer has begun (the reply is then hijacked: the edge writes it);
   * rejects, having written nothing, when no answer came: the caller can still be sent a problem.
   * An answer broken off after it began ends the caller's connection, as the upstream's did.
   */
  forward(request: FastifyRequest, reply: FastifyReply, options: ForwardOptions): Promise<number> {
    const headers = forwardedHeaders(request, options.withheld);
    return new Promise<number>((resolve, reject) => {
      const res = reply.raw;
      let controller: Dispatcher.DispatchController | undefined;
      let started = false;
      const onClose = () => {
        // The caller went away before the answer was complete: stop the upstream call too.
        if (!res.writableFinished) controller?.abort(new CallerGone());
      };
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(c) {
          controller = c;
        },
        onResponseStart(_c, statusCode, upstreamHeaders) {
          if (statusCode < 200) return; // 1xx: informational; the final answer follows
          started = true;
          reply.hijack();
          res.writeHead(statusCode, mergeHeaders(reply.getHeaders(), upstreamHeaders));
          resolve(statusCode);
        },
        onResponseData(c, chunk) {
          if (!res.write(chunk)) {
            c.pause();
            res.once('drain', () => c.resume());
          }
        },
        onResponseEnd() {
          res.removeListener('close', onClose);
          res.end();
        },
        onResponseError(_c, error) {
          res.removeListener('close', onClose);
          if (started) res.destroy(error);
          else reject(error);
        },
      };
      res.once('close', onClose);
      try {
        this.pool.dispatch(
          { path: request.url, method: request.method, headers, body: options.body ?? null },
          handler,
        );
      } catch (error) {
        // undici reports what it refuses through the handler; anything thrown is refused alike.
        reject(error);
      }
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Why an upstream call was stopped: the caller closed its connection first. */
export class CallerGone extends Error {
  readonly code = 'CALLER_GONE';
  constructor() {
    super('the caller closed the connection');
  }
}

/**
 * The request headers the upstream gets, as a flat name/value list in the caller's order and case:
 * the caller's, without hop-by-hop headers, those its `Connection` names, and the withheld ones;
 * the correlation id as resolved on arrival; this hop's `X-Forwarded-*`.
 */
function forwardedHeaders(request: FastifyRequest, withheld: ReadonlySet<string>): string[] {
  const raw = request.raw.rawHeaders;
  const connection = request.headers.connection;
  const named = connection ? connectionNamed(connection) : undefined;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (NOT_FORWARDED.has(name) || withheld.has(name) || name === CORRELATION) continue;
    if (named?.has(name)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  const prior = request.headers['x-forwarded-for'];
  // The address this hop was called from, as every proxy appends it: the load balancer's when
  // there is one (TRUST_PROXY then makes `request.ip` the caller's, from the entries before it).
  const peer = request.raw.socket?.remoteAddress ?? request.ip;
  out.push(
    CORRELATION,
    request.id,
    'x-forwarded-for',
    typeof prior === 'string' && prior ? `${prior}, ${peer}` : peer,
    'x-forwarded-proto',
    request.protocol,
    'x-forwarded-host',
    request.headers.host ?? '',
  );
  return out;
}

const CORRELATION = 'x-correlation-id';

/** The header names a `Connection` header lists: hop-by-hop too. */
function connectionNamed(value: string): Set<string> | undefined {
  // What nearly every client sends, and names no header to drop.
  if (value === 'keep-alive' || value === 'close' || value === 'Keep-Alive' || value === 'Close')
    return undefined;
  return new Set(
    value
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

/**
 * The answer's headers: the upstream's, without hop-by-hop ones, and the edge's own on top (CORS,
 * rate limits, the correlation id, which is the same value the upstream was given). `Vary` is the
 * union of both.
 */
function mergeHeaders(
  edge: Record<string, number | string | string[] | undefined>,
  upstream: Record<string, string | string[] | undefined>,
): OutgoingHttpHeaders {
  const named = typeof upstream.connection === 'string' ? connectionNamed(upstream.connection) : undefined;
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (NOT_RETURNED.has(name) || named?.has(name)) continue;
    out[name] = upstream[name];
  }
  for (const name in edge) {
    const value = edge[name];
    if (value === undefined) continue;
    if (name === 'vary' && out.vary !== undefined) {
      out.vary = `${String(out.vary)}, ${String(value)}`;
    } else {
      out[name] = value;
    }
  }
  return out;
}
