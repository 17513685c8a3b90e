import { createServiceApp } from '@helpline/common';
import { createTestDatabase, createTestIssuer, type TestDatabase, type TestIssuer } from '@helpline/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { AppModule, OPEN_API } from '../app.module.js';
import { readUserServiceConfig } from '../config.js';

export interface Response {
  status: number;
  headers: Headers;
  contentType: string | null;
  body: Record<string, unknown>;
}

export interface UserServiceHarness {
  base: string;
  issuer: TestIssuer;
  database: TestDatabase;
  app: NestFastifyApplication;
  /** A JSON request: `body` is serialised unless it is already a string. */
  call(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  close(): Promise<void>;
}

/**
 * user-service as it runs, on a database of its own, verifying tokens from a test issuer whose
 * audience includes the demo pool's service clients. For specs that talk to it over HTTP.
 */
export async function startUserService(
  options: {
    env?: Record<string, string>;
    logDestination?: DestinationStream;
    /** A database of the caller's (dropped by the caller); default: a fresh test database. */
    databaseUrl?: string;
  } = {},
): Promise<UserServiceHarness> {
  const [issuer, database] = await Promise.all([
    createTestIssuer(),
    options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : createTestDatabase(),
  ]);
  const config = readUserServiceConfig({
    ...issuer.env({ JWT_AUDIENCE: `${issuer.clientId},user-provisioner,order-service` }),
    NODE_ENV: 'test',
    LOG_LEVEL: options.logDestination ? 'info' : 'silent',
    SEED_DEMO_DATA: 'false',
    DATABASE_URL: database.url,
    ...options.env,
  });
  const app = await createServiceApp(AppModule.forRoot(config, { logDestination: options.logDestination }), {
    service: config.service,
    openApi: OPEN_API,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = await app.getUrl();
  return {
    base,
    issuer,
    database,
    app,
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
      await app.close();
      await Promise.all([issuer.close(), database.drop()]);
    },
  };
}
