import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServiceApp, type ServiceConfig, ServiceDefaultsModule } from '@helpline/common';
import { LogCapture } from '@helpline/testing';
import {
  Body,
  Controller,
  Get,
  Headers,
  type DynamicModule,
  Module,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HttpClientModule } from './http-client.module.js';
import type { HttpClientModuleOptions } from './http-client.options.js';
import { ServiceHttpClient, type UpstreamAuth } from './service-http-client.js';

/** What the upstream does with one request. */
export type Reply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Accept the request and never answer. */
  | 'hang'
  /** Close the connection abruptly (the client sees ECONNRESET). */
  | 'reset'
  /** Send 200 and its headers at once, then one byte of body every 50 ms, never ending. */
  | 'trickle';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP upstream on 127.0.0.1. Each path follows a script of replies, one per request (the
 * last one repeats); unscripted paths answer 200 `{ ok: true, path }`. It records every request
 * and counts TCP connections.
 */
export class ScriptedUpstream {
  readonly requests: RecordedRequest[] = [];
  connections = 0;
  url = '';
  private readonly scripts = new Map<string, Reply[]>();
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => this.handle(req, res));

  static async start(): Promise<ScriptedUpstream> {
    const upstream = new ScriptedUpstream();
    upstream.server.on('connection', (socket: Socket) => {
      upstream.connections++;
      upstream.sockets.add(socket);
      socket.on('close', () => upstream.sockets.delete(socket));
    });
    upstream.server.listen(0, '127.0.0.1');
    await once(upstream.server, 'listening');
    upstream.url = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`;
    return upstream;
  }

  /** Replies for `path` (without query string), in order; the last repeats. */
  script(path: string, ...replies: Reply[]): void {
    this.scripts.set(path, replies);
  }

  hits(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.url.split('?')[0] === path);
  }

  reset(): void {
    this.requests.length = 0;
    this.scripts.clear();
    this.connections = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, 'close');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      this.requests.push({
        method: req.method ?? '',
        url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const path = url.split('?')[0] as string;
      const script = this.scripts.get(path);
      const reply: Reply = script?.length
        ? ((script.length > 1 ? script.shift() : script[0]) as Reply)
        : { status: 200, body: { ok: true, path } };
      if (reply === 'hang') return;
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      if (reply === 'trickle') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data":"');
        const timer = setInterval(() => res.write('x'), 50);
        res.on('close', () => clearInterval(timer));
        return;
      }
      const isProblem = reply.status >= 400;
      res.writeHead(reply.status, {
        'content-type': isProblem ? 'application/problem+json' : 'application/json',
        ...reply.headers,
      });
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
    });
  }
}

/** A client-credentials token endpoint: hands out `m2m-token-1`, `m2m-token-2`… to one client. */
export class TokenEndpoint {
  requests = 0;
  url = '';
  readonly clientId = 'caller-service';
  readonly clientSecret = 'caller-service-secret';
  private readonly server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
      res.setHeader('content-type', 'application/json');
      if (req.method !== 'POST' || req.headers.authorization !== expected) {
        res.statusCode = 401;
        res.end(JSON.stringify({ error: 'invalid_client' }));
        return;
      }
      this.requests++;
      res.end(
        JSON.stringify({
          access_token: `m2m-token-${this.requests}`,
          token_type: 'Bearer',
          expires_in: 3600,
        }),
      );
    });
  });

  static async start(): Promise<TokenEndpoint> {
    const endpoint = new TokenEndpoint();
    endpoint.server.listen(0, '127.0.0.1');
    await once(endpoint.server, 'listening');
    endpoint.url = `http://127.0.0.1:${(endpoint.server.address() as AddressInfo).port}/oauth2/token`;
    return endpoint;
  }

  get m2mOptions() {
    return { tokenUrl: this.url, clientId: this.clientId, clientSecret: this.clientSecret };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

// Routes of the calling app: each forwards to an upstream through ServiceHttpClient.
@Controller()
class CallerController {
  constructor(private readonly client: ServiceHttpClient) {}

  @Get('call/:upstream/:path')
  get(
    @Param('upstream') upstream: string,
    @Param('path') path: string,
    @Query() query: Record<string, string>,
    @Headers('x-test-auth') auth?: UpstreamAuth,
  ) {
    return this.client.get(upstream, `/${path}`, { query, ...(auth ? { auth } : {}) });
  }

  @Post('call/:upstream/:path')
  post(
    @Param('upstream') upstream: string,
    @Param('path') path: string,
    @Body() body: Record<string, unknown>,
    @Headers('x-test-idempotency-key') idempotencyKey?: string,
  ) {
    return this.client.post(upstream, `/${path}`, body, idempotencyKey ? { idempotencyKey } : {});
  }

  @Get('passthrough-none/:upstream/:path')
  noPassThrough(@Param('upstream') upstream: string, @Param('path') path: string) {
    return this.client.get(upstream, `/${path}`, { passThroughStatuses: [] });
  }
}

export const CALLER_SERVICE: ServiceConfig = {
  name: 'caller-service',
  nodeEnv: 'test',
  host: '127.0.0.1',
  port: 0,
  logLevel: 'debug',
  bodyLimitBytes: 65_536,
  trustProxy: false,
  shutdownTimeoutMs: 5_000,
};

@Module({})
class CallerAppModule {
  static forRoot(options: HttpClientModuleOptions, logs: LogCapture): DynamicModule {
    return {
      module: CallerAppModule,
      imports: [
        ServiceDefaultsModule.forRoot({ service: CALLER_SERVICE, logDestination: logs }),
        HttpClientModule.forRoot(options),
      ],
      controllers: [CallerController],
    };
  }
}

export interface CallerApp {
  app: NestFastifyApplication;
  base: string;
  client: ServiceHttpClient;
  logs: LogCapture;
  /** A request to the calling app; the body parsed as JSON. */
  call(
    method: string,
    path: string,
    headers?: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** A real Nest application on Fastify (createServiceApp) that calls upstreams through ServiceHttpClient. */
export async function startCallerApp(options: HttpClientModuleOptions): Promise<CallerApp> {
  const logs = new LogCapture();
  const app = await createServiceApp(CallerAppModule.forRoot(options, logs), { service: CALLER_SERVICE });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = await app.getUrl();
  return {
    app,
    base,
    client: app.get(ServiceHttpClient),
    logs,
    call: async (method, path, headers = {}, body) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
      };
    },
    close: () => app.close(),
  };
}
