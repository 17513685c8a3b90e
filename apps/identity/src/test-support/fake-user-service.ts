import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * A stand-in for user-service's `POST /users` with its contract: 201 when the sub is new, 200 when it exists
 * (idempotent). It records every request so a test can check the bearer token and the body.
 */
export class FakeUserService {
  readonly requests: RecordedRequest[] = [];
  readonly users = new Map<string, unknown>();
  /** Forces this status on every POST (e.g. 503), instead of the contract's 201/200. */
  failWith: number | undefined;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // Recorded as text: the test then sees what was sent.
        }
        this.requests.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body,
        });
        const sub = (body as { sub?: string } | undefined)?.sub;
        let status = 404;
        if (request.method === 'POST' && request.url === '/users') {
          status = this.failWith ?? (sub && this.users.has(sub) ? 200 : 201);
          if (status === 201 && sub) this.users.set(sub, body);
        }
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(status < 300 ? body : { status }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
