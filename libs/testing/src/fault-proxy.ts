import { once } from 'node:events';
import { createServer, type IncomingMessage, request as forward, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with one request instead of passing it on:
 * - `refuse`: drops the connection (the upstream looks down);
 * - `hang`: never answers (the upstream looks frozen; the caller's timeout decides);
 * - `{ status, body? }`: answers itself (the upstream fails);
 * - `{ delayMs }`: passes it on late (the upstream is slow);
 * - `{ after: fn }`: passes it on, and runs `fn` once the upstream has answered, before the caller
 *   gets the answer (which it then never does: the proxy hangs, as if the caller died then).
 */
export type Fault =
  | 'refuse'
  | 'hang'
  | { status: number; body?: unknown }
  | { delayMs: number }
  | { after: () => void | Promise<void> };

/** Decides, for each request, whether and how it fails; undefined passes it on. */
export type FaultRule = (request: { method: string; path: string }) => Fault | undefined;

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The upstream's (or the injected) status; undefined while in flight, and when refused or hung. */
  status?: number;
  /** The fault the request met, if any. */
  fault?: 'refused' | 'hung' | 'injected' | 'delayed' | 'answer-lost';
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give this to the caller instead of the upstream's URL. */
  readonly url: string;
  /** Every request seen, in order. */
  readonly requests: ProxiedRequest[];
  /** Replaces the rule; no argument passes everything on. */
  fail(rule?: FaultRule): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of one upstream, that makes chosen requests fail: for tests
 * of how a caller copes with a dependency that is down, slow, frozen or broken, without touching
 * the dependency itself.
 */
export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  let rule: FaultRule = () => undefined;
  const requests: ProxiedRequest[] = [];
  const hung = new Set<ServerResponse>();

  const pass = (
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
    seen: ProxiedRequest,
    after?: () => void | Promise<void>,
  ) => {
    const out = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        seen.status = answer.statusCode;
        if (after) {
          answer.resume();
          answer.on('end', () => {
            hung.add(res);
            void after();
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  };

  // The body is read first: a request passed on late still reaches the upstream whole, even when
  // its caller has given up on it meanwhile (as a slow network would deliver it).
  const server = createServer(async (req, res) => {
    const seen: ProxiedRequest = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0] ?? '/' };
    requests.push(seen);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const fault = rule({ method: seen.method, path: seen.path });
    if (fault === 'refuse') {
      seen.fault = 'refused';
      return void req.socket.destroy();
    }
    if (fault === 'hang') {
      seen.fault = 'hung';
      return void hung.add(res);
    }
    if (fault && 'status' in fault) {
      seen.fault = 'injected';
      seen.status = fault.status;
      res.writeHead(fault.status, { 'content-type': 'application/problem+json' });
      return void res.end(JSON.stringify(fault.body ?? { status: fault.status, code: 'INJECTED_FAULT' }));
    }
    if (fault && 'delayMs' in fault) {
      seen.fault = 'delayed';
      return void setTimeout(() => pass(req, body, res, seen), fault.delayMs);
    }
    if (fault && 'after' in fault) seen.fault = 'answer-lost';
    pass(req, body, res, seen, fault && 'after' in fault ? fault.after : undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    fail(next = () => undefined) {
      rule = next;
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
