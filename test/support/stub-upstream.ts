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
  /** Answers to `…/drip` whose caller went away before their end. */
  readonly broken: { count: number };
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
 * - `…/big?kb=N`: N KiB of a known pattern, chunked, with hop-by-hop headers among its own;
 * - `…/drip`: an answer that goes on, a line every 50 ms, until the caller goes away;
 * - `/health/live`: 200;
 * - anything else: 200 `{ upstream, method, url }`.
 */
export async function startStubUpstream(name: string): Promise<StubUpstream> {
  const seen: SeenRequest[] = [];
  const broken = { count: 0 };
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
        } else if (path.endsWith('/big')) {
          const kb = Number(new URL(url, 'http://stub').searchParams.get('kb') ?? 1);
          res.writeHead(200, {
            'content-type': 'application/octet-stream',
            connection: 'keep-alive, x-secret-hop',
            'x-secret-hop': 'for the gateway only',
            'keep-alive': 'timeout=5',
            vary: 'Accept-Encoding',
            'set-cookie': ['a=1', 'b=2'],
            'x-upstream': name,
          });
          let sent = 0;
          const more = () => {
            while (sent < kb) {
              if (!res.write(bigChunk(sent++))) return void res.once('drain', more);
            }
            res.end();
          };
          more();
        } else if (path.endsWith('/drip')) {
          res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name });
          res.write('the start of an answer that never ends\n');
          // A line every 50 ms: never idle long enough for the gateway's body timeout.
          const timer = setInterval(() => res.write('more\n'), 50);
          res.once('close', () => {
            clearInterval(timer);
            if (!res.writableFinished) broken.count++;
          });
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
    broken,
    kill: stop,
    revive: listen,
    close: async () => {
      if (server.listening) await stop();
    },
  };
}

/** The `n`th KiB of `…/big`'s answer: its bytes say where they belong. */
export function bigChunk(n: number): Buffer {
  const chunk = Buffer.alloc(1024);
  for (let i = 0; i < 1024; i += 4) chunk.writeUInt32BE((n * 256 + i / 4) >>> 0, i);
  return chunk;
}
