import type { Env, OpenApiOptions, ServiceAppOptions, ServiceConfig } from '@helpline/common';
import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createTestIssuer, type TestIssuer } from './issuer.js';

/** What `call` answers: the status, the headers, and the body parsed as JSON. */
export interface HarnessResponse {
  status: number;
  headers: Headers;
  contentType: string | null;
  body: Record<string, unknown>;
}

export interface ServiceHarness<C> {
  /** `http://127.0.0.1:<port>` */
  base: string;
  issuer: TestIssuer;
  database: TestDatabase;
  app: NestFastifyApplication;
  /** The configuration the service was started with. */
  config: C;
  /** A JSON request: `body` is serialised unless it is already a string. */
  call(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HarnessResponse>;
  close(): Promise<void>;
}

/** How a service is built, as its `main` tells `runService`, plus what a test varies. */
export interface ServiceHarnessOptions<C extends { service: ServiceConfig }> {
  /** The service's config reader (`readUserServiceConfig`, ...). */
  readConfig: (env: Env) => C;
  /** The service's root module for that config; the harness passes its log destination. */
  module: (config: C, options: { logDestination?: DestinationStream }) => DynamicModule;
  openApi?: OpenApiOptions;
  /**
   * Client ids whose tokens the service accepts besides the test issuer's own client, as the
   * demo pool's service clients (`order-service`, `user-provisioner`) call it.
   */
  audience?: readonly string[];
  /** Variables over the harness's own (test issuer, silent logs, no demo data, the database). */
  env?: Record<string, string>;
  /** Where the service logs (at level info); none: silent. */
  logDestination?: DestinationStream;
  /** A database of the caller's (dropped by the caller); default: a fresh test database. */
  databaseUrl?: string;
  /** An issuer shared with other services of the test (closed by the caller); default: one of its own. */
  issuer?: TestIssuer;
  /** As `runService`'s: what the service's `main` adds before the app initialises (the gateway's edge). */
  beforeInit?: (config: C) => ServiceAppOptions['beforeInit'];
  /** As `runService`'s: whether requests run in the request context (default true). */
  requestContext?: boolean;
}

/**
 * A service as it runs, listening on 127.0.0.1 with a real database of its own (dropped by
 * `close`) and verifying tokens from a test issuer: for specs that talk to it over HTTP.
 */
export async function startServiceHarness<C extends { service: ServiceConfig }>(
  options: ServiceHarnessOptions<C>,
): Promise<ServiceHarness<C>> {
  const [issuer, database] = await Promise.all([
    options.issuer ?? createTestIssuer(),
    options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : createTestDatabase(),
  ]);
  const closeIssuer = () => (options.issuer ? Promise.resolve() : issuer.close());
  let app: NestFastifyApplication | undefined;
  try {
    const config = options.readConfig({
      ...issuer.env({ JWT_AUDIENCE: [issuer.clientId, ...(options.audience ?? [])].join(',') }),
      NODE_ENV: 'test',
      LOG_LEVEL: options.logDestination ? 'info' : 'silent',
      SEED_DEMO_DATA: 'false',
      DATABASE_URL: database.url,
      ...options.env,
    });
    // Loaded here, not at the top: the rest of this package (vitest's global setup uses it) stays
    // free of Nest and Fastify.
    const { createServiceApp } = await import('@helpline/common');
    app = await createServiceApp(options.module(config, { logDestination: options.logDestination }), {
      service: config.service,
      openApi: options.openApi,
      beforeInit: options.beforeInit?.(config),
      requestContext: options.requestContext,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = await app.getUrl();
    const started = app;
    return {
      base,
      issuer,
      database,
      app: started,
      config,
      call: async (method, path, token, body, headers = {}) => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        });
        const text = await res.text();
        return {
          status: res.status,
          headers: res.headers,
          contentType: res.headers.get('content-type'),
          body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
        };
      },
      close: async () => {
        await started.close();
        await Promise.all([closeIssuer(), database.drop()]);
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await Promise.all([closeIssuer(), database.drop()]).catch(() => undefined);
    throw error;
  }
}
