import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the stub saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
  body: string;
}

export interface StubUpstream {
  readonly name: string;
  /** `http://127.0.0.1:<port>`; the same across `kill` and `revive`. */
  readonly url: string;
  readonly seen: SeenRequest[];
  /** Drops every connection at once and stops listening: to its callers, a process that died. */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  revive(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A service stand-in for gateway tests, answering at once with what it was sent:
 * - `…/slow?ms=N`: answers after N ms;
 * - `…/status/NNN`: answers that status;
 * - `/health/live`: 200;
 * - anything else: 200 `{ upstream, method, url }`.
 */
export async function startStubUpstream(name: string): Promise<StubUpstream> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;

  const listen = async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const url = req.url ?? '/';
        if (url !== '/health/live') {
          seen.push({
            method: req.method ?? '',
            url,
            headers: req.headers,
            bodyBytes: body.length,
            body: body.toString(),
          });
        }
        const reply = (status: number, payload: unknown) => {
          if (res.destroyed) return;
          res.writeHead(status, {
            'content-type': 'application/json',
            connection: 'keep-alive',
            'x-upstream': name,
          });
          res.end(JSON.stringify(payload));
        };
        const path = new URL(url, 'http://stub').pathname;
        const status = /\/status\/(\d{3})$/.exec(path);
        if (path.endsWith('/slow')) {
          const ms = Number(new URL(url, 'http://stub').searchParams.get('ms') ?? 1000);
          setTimeout(() => reply(200, { upstream: name, slow: ms }), ms);
        } else if (status) {
          reply(Number(status[1]), { upstream: name, status: Number(status[1]) });
        } else {
          reply(200, { upstream: name, method: req.method, url, bodyBytes: body.length });
        }
      });
    });
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  await listen();
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    seen,
    kill: stop,
    revive: listen,
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
