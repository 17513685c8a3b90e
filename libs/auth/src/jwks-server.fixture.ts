import { once } from 'node:events';
import { createServer, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { JWK } from 'jose';
import type { AuthLogger } from './jwt-auth.options.js';

/**
 * - `up`: 200 with the key set
 * - `error`: 500
 * - `reset`: the connection is dropped without an answer (a dead host behind a load balancer)
 * - `hang`: the connection is accepted and never answered
 * - `empty`: 200 with `{"keys":[]}`
 * - `not-json`: 200 with an HTML error page
 */
export type JwksServerMode = 'up' | 'error' | 'reset' | 'hang' | 'empty' | 'not-json';

/** A real JWKS endpoint on 127.0.0.1 whose failures a test switches on and off. */
export interface JwksServer {
  readonly url: string;
  /** Requests received, answered or not. */
  readonly requests: number;
  mode: JwksServerMode;
  close(): Promise<void>;
}

/** Serves `keys()` as it is at each request, so a test issuer's rotations show up. */
export async function startJwksServer(keys: () => { keys: JWK[] }): Promise<JwksServer> {
  let requests = 0;
  let mode: JwksServerMode = 'up';
  const server = createServer((request, response) => {
    requests++;
    if (mode === 'hang') return;
    if (mode === 'reset') return request.socket.destroy();
    if (mode === 'error') return reply(response, 500, 'application/json', '{"message":"down (test)"}');
    if (mode === 'not-json') return reply(response, 200, 'text/html', '<html>Bad gateway</html>');
    reply(response, 200, 'application/json', JSON.stringify(mode === 'empty' ? { keys: [] } : keys()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pool/.well-known/jwks.json`,
    get requests() {
      return requests;
    },
    get mode() {
      return mode;
    },
    set mode(next) {
      mode = next;
    },
    async close() {
      // Hung requests and kept-alive connections would otherwise hold close() open.
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}

export interface LogLine {
  level: 'log' | 'warn' | 'error';
  message: string;
}

/** A `logger` option that records what the verifier says. */
export function captureLogs(): { logger: AuthLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string) => lines.push({ level, message });
  return { logger: { log: at('log'), warn: at('warn'), error: at('error') }, lines };
}

/**
 * Retries `check` every 10 ms of real time until it passes, for what a background refresh leaves
 * behind. Not vi.waitFor: with a faked Date, that moves the clock a test is reading.
 */
export async function eventually(check: () => void, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (performance.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
