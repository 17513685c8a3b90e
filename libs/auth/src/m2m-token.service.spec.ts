import 'reflect-metadata';
import { Controller, Get } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { freePort } from '@helpline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { M2MTokenError } from './m2m-token.error.js';
import { M2MTokenModule } from './m2m-token.module.js';
import { type M2MTokenOptions, readM2MTokenOptions, validateM2MTokenOptions } from './m2m-token.options.js';
import { M2MTokenService } from './m2m-token.service.js';

const CLIENT_ID = 'order-service';
const CLIENT_SECRET = 'order-service-s3cret+/=';

/** A real local /oauth2/token endpoint whose answers each test scripts. */
interface TokenEndpoint {
  url: string;
  requests: Array<{ authorization?: string; contentType?: string; body: string }>;
  /** Next answers; the last one repeats. */
  answer: (request: IncomingMessage) => { status: number; body: unknown; delayMs?: number };
}

let server: Server;
let endpoint: TokenEndpoint;

beforeAll(async () => {
  server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    endpoint.requests.push({
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      body,
    });
    const answer = endpoint.answer(request);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

let issued = 0;
const tokenAnswer = (expiresIn = 3600) => ({
  status: 200,
  body: { access_token: `token-${++issued}`, expires_in: expiresIn, token_type: 'Bearer' },
});

beforeEach(() => {
  const { port } = server.address() as AddressInfo;
  endpoint = { url: `http://127.0.0.1:${port}/oauth2/token`, requests: [], answer: () => tokenAnswer() };
});

function service(extra: { now?: () => number; scope?: string; timeoutMs?: number } = {}) {
  return new M2MTokenService({
    tokenUrl: endpoint.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    ...extra,
  });
}

describe('M2MTokenService', () => {
  it('posts a client-credentials request with HTTP Basic auth and the scope', async () => {
    const token = await service({ scope: 'service/user.read service/product.write' }).getServiceToken();
    expect(token).toMatch(/^token-/);
    const [request] = endpoint.requests;
    expect(request?.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'service/user.read service/product.write',
    });
    const basic = Buffer.from(request!.authorization!.replace(/^Basic /, ''), 'base64').toString();
    expect(basic.split(':').map(decodeURIComponent)).toEqual([CLIENT_ID, CLIENT_SECRET]);
  });

  it('makes one request for 50 concurrent callers', async () => {
    const m2m = service();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => m2m.getServiceToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(endpoint.requests).toHaveLength(1);
  });

  it('serves the cached token until one minute before expiry, then fetches a new one', async () => {
    const clock = { now: 1_000_000 };
    const m2m = service({ now: () => clock.now });
    const first = await m2m.getServiceToken();

    clock.now += (3600 - 61) * 1000;
    expect(await m2m.getServiceToken()).toBe(first);
    expect(endpoint.requests).toHaveLength(1);

    clock.now += 1000; // exactly 60 s left: time to refresh
    const second = await m2m.getServiceToken();
    expect(second).not.toBe(first);
    expect(endpoint.requests).toHaveLength(2);
    expect(await m2m.getServiceToken()).toBe(second);
  });

  it('refreshes a short-lived token at half its life instead of never caching it', async () => {
    endpoint.answer = () => tokenAnswer(60);
    const clock = { now: 0 };
    const m2m = service({ now: () => clock.now });
    const first = await m2m.getServiceToken();
    clock.now = 29_000;
    expect(await m2m.getServiceToken()).toBe(first);
    clock.now = 30_000;
    expect(await m2m.getServiceToken()).not.toBe(first);
  });

  it('fetches again after clearCache()', async () => {
    const m2m = service();
    const first = await m2m.getServiceToken();
    m2m.clearCache();
    expect(await m2m.getServiceToken()).not.toBe(first);
    expect(endpoint.requests).toHaveLength(2);
  });

  it('does not let a fetch started before clearCache() refill the cache after it', async () => {
    const m2m = service();
    const before = m2m.getServiceToken();
    m2m.clearCache();
    const after = m2m.getServiceToken();
    const [, second] = await Promise.all([before, after]);
    expect(endpoint.requests).toHaveLength(2);
    expect(await m2m.getServiceToken()).toBe(second);
    expect(endpoint.requests).toHaveLength(2);
  });

  it('turns an error answer into M2MTokenError (503) naming the host and status, never the secret', async () => {
    endpoint.answer = () => ({ status: 400, body: { error: 'invalid_client' } });
    const m2m = service();
    const error = await m2m.getServiceToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(M2MTokenError);
    expect(error).toMatchObject({ code: 'M2M_TOKEN_UNAVAILABLE' });
    const { host } = new URL(endpoint.url);
    expect((error as M2MTokenError).message).toBe(
      `Token request to ${host} failed: HTTP 400 (invalid_client)`,
    );
    expect((error as M2MTokenError).getStatus()).toBe(503);
    expect((error as M2MTokenError).getResponse()).toEqual({
      code: 'M2M_TOKEN_UNAVAILABLE',
      message: (error as Error).message,
    });
    expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain(CLIENT_SECRET);

    // Failures are not cached: the next call asks again and succeeds.
    endpoint.answer = () => tokenAnswer();
    await expect(m2m.getServiceToken()).resolves.toMatch(/^token-/);
    expect(endpoint.requests).toHaveLength(2);
  });

  it('shares one failure between concurrent callers, then retries', async () => {
    endpoint.answer = () => ({ status: 500, body: {} });
    const m2m = service();
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => m2m.getServiceToken()));
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof M2MTokenError)).toBe(true);
    expect(endpoint.requests).toHaveLength(1);
    await expect(m2m.getServiceToken()).rejects.toThrow(/HTTP 500$/);
    expect(endpoint.requests).toHaveLength(2);
  });

  it('refuses a 200 answer without an access token', async () => {
    endpoint.answer = () => ({ status: 200, body: { token_type: 'Bearer' } });
    await expect(service().getServiceToken()).rejects.toThrow(/has no access_token/);
  });

  it('reports a connection failure and a timeout by host', async () => {
    const port = await freePort();
    const refused = new M2MTokenService({
      tokenUrl: `http://127.0.0.1:${port}/oauth2/token`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    await expect(refused.getServiceToken()).rejects.toThrow(
      `Token request to 127.0.0.1:${port} failed: ECONNREFUSED`,
    );

    endpoint.answer = () => ({ ...tokenAnswer(), delayMs: 500 });
    await expect(service({ timeoutMs: 50 }).getServiceToken()).rejects.toThrow(/no answer within 50 ms/);
  });
});

describe('M2MTokenModule', () => {
  it('provides the service to a Nest app, where its error reaches the client as a 503 with the code', async () => {
    endpoint.answer = () => ({ status: 401, body: { error: 'invalid_client' } });
    @Controller()
    class CallerController {
      constructor(private readonly m2m: M2MTokenService) {}
      @Get('call')
      call() {
        return this.m2m.getServiceToken();
      }
    }
    const app = await NestFactory.create(
      {
        module: class CallerModule {},
        imports: [
          M2MTokenModule.forRoot({
            tokenUrl: endpoint.url,
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
          }),
        ],
        controllers: [CallerController],
      },
      new FastifyAdapter(),
      { logger: false },
    );
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/call`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        code: 'M2M_TOKEN_UNAVAILABLE',
        message: `Token request to ${new URL(endpoint.url).host} failed: HTTP 401 (invalid_client)`,
      });
    } finally {
      await app.close();
    }
  });
});

describe('readM2MTokenOptions', () => {
  it('reads the seed’s variables', () => {
    expect(
      readM2MTokenOptions({
        COGNITO_TOKEN_URL: 'https://auth.example.com/oauth2/token',
        SERVICE_CLIENT_ID: 'order-service',
        SERVICE_CLIENT_SECRET: 'secret',
        SERVICE_SCOPE: 'service/user.read  service/product.write',
      }),
    ).toEqual({
      problems: [],
      value: {
        tokenUrl: 'https://auth.example.com/oauth2/token',
        clientId: 'order-service',
        clientSecret: 'secret',
        scope: 'service/user.read service/product.write',
      },
    });
  });

  it('checks options built in code by the same rules', () => {
    expect(
      validateM2MTokenOptions({ tokenUrl: 'not a url', clientId: '', clientSecret: 's', timeoutMs: -1 }),
    ).toEqual([
      'tokenUrl: must be an http(s) URL',
      'clientId: required (the app client used for client credentials)',
      'timeoutMs: must be a whole number of milliseconds ≥ 0',
    ]);
    expect(validateM2MTokenOptions(undefined as unknown as M2MTokenOptions)).toEqual(['options are missing']);
  });

  it('names every missing or bad variable at once', () => {
    expect(readM2MTokenOptions({ COGNITO_TOKEN_URL: 'not a url' }).problems).toEqual([
      'COGNITO_TOKEN_URL="not a url": must be an http(s) URL',
      expect.stringMatching(/^SERVICE_CLIENT_ID: required/),
      expect.stringMatching(/^SERVICE_CLIENT_SECRET: required/),
    ]);
  });
});
