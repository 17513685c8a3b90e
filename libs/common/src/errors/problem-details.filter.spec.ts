import 'reflect-metadata';
import { Controller, Get, HttpException, ServiceUnavailableException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ServiceUnavailableError } from './app-error.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { toProblem } from './problem.js';

@Controller()
class FailingController {
  @Get('app-error')
  appError() {
    throw new ServiceUnavailableError('UPSTREAM_DOWN', 'The upstream is down', { retryAfterSeconds: 30 });
  }

  /** The shape @helpline/auth's AuthError.toHttpException() gives for JWKS_UNAVAILABLE. */
  @Get('http-exception')
  httpException() {
    throw new ServiceUnavailableException({
      code: 'JWKS_UNAVAILABLE',
      message: 'The token signing keys could not be fetched',
      retryAfterSeconds: 12.2,
    });
  }

  @Get('bad-retry-after')
  badRetryAfter() {
    throw new HttpException({ code: 'BUSY', message: 'busy', retryAfterSeconds: 'soon' }, 503);
  }

  @Get('not-found')
  notFound() {
    throw new NotFoundError('NOTE_NOT_FOUND', 'no such note');
  }
}

describe('Retry-After on problem responses (through real HTTP)', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    class ProblemTestModule {}
    app = await NestFactory.create<NestFastifyApplication>(
      { module: ProblemTestModule, controllers: [FailingController] },
      new FastifyAdapter(),
      { logger: false },
    );
    app.useGlobalFilters(new ProblemDetailsFilter());
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
  });

  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`);
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  it('sends an AppError’s retryAfterSeconds as the Retry-After header, and keeps it in the body', async () => {
    expect(await get('/app-error')).toMatchObject({
      status: 503,
      retryAfter: '30',
      contentType: expect.stringContaining('application/problem+json'),
      body: { code: 'UPSTREAM_DOWN', detail: 'The upstream is down', retryAfterSeconds: 30 },
    });
  });

  it('reads it from an HttpException’s body (as @helpline/auth passes it), rounded up to whole seconds', async () => {
    expect(await get('/http-exception')).toMatchObject({
      status: 503,
      retryAfter: '13',
      body: { code: 'JWKS_UNAVAILABLE', retryAfterSeconds: 13 },
    });
  });

  it('sends no Retry-After, and drops the member, when the value is not a number of seconds', async () => {
    const response = await get('/bad-retry-after');
    expect(response).toMatchObject({ status: 503, retryAfter: null, body: { code: 'BUSY' } });
    expect(response.body).not.toHaveProperty('retryAfterSeconds');
  });

  it('sends no Retry-After on errors that do not ask for one', async () => {
    const response = await get('/not-found');
    expect(response).toMatchObject({ status: 404, retryAfter: null });
    expect(response.body).not.toHaveProperty('retryAfterSeconds');
  });
});

describe('toProblem retryAfterSeconds', () => {
  it('keeps whole non-negative seconds and drops anything else', () => {
    const problem = (retryAfterSeconds: unknown) =>
      toProblem(new HttpException({ code: 'X', message: 'x', retryAfterSeconds }, 503)).retryAfterSeconds;
    expect([0, 1, 29.01, '30', -1, Number.NaN, Infinity, 1e300, null].map(problem)).toEqual([
      0,
      1,
      30,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
