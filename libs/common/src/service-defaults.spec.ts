import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture, type TestDatabase } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from './__fixtures__/test-app.js';
import { DATABASE_HANDLE } from './database/database.constants.js';
import type { DatabaseHandle } from './database/database.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('service defaults (through real HTTP)', () => {
  let app: NestFastifyApplication;
  let base: string;
  let database: TestDatabase;
  const logs = new LogCapture();

  beforeAll(async () => {
    ({ app, base, database } = await startTestApp(logs, { openApi: { title: 'test' } }));
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const postNote = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  describe('correlation id', () => {
    it('generates one when the caller sends none, and returns it', async () => {
      const res = await fetch(`${base}/health/live`);
      expect(res.headers.get('x-correlation-id')).toMatch(UUID);
    });

    it("keeps the caller's id and makes it available to the handler after the body is read", async () => {
      const res = await postNote(
        { title: 'keep-id', author: 'a@example.com', priority: 1 },
        { 'x-correlation-id': 'req-abc.123' },
      );
      expect(res.status).toBe(201);
      expect(res.headers.get('x-correlation-id')).toBe('req-abc.123');
      expect(((await res.json()) as { correlationId: string }).correlationId).toBe('req-abc.123');
    });

    it('replaces an id that could forge log lines', async () => {
      const res = await fetch(`${base}/health/live`, {
        headers: { 'x-correlation-id': 'evil id"}{"level":60' },
      });
      expect(res.headers.get('x-correlation-id')).toMatch(UUID);
    });
  });

  describe('problem+json errors', () => {
    it('names every invalid field in one 400', async () => {
      const res = await postNote({ title: 'x', author: 'not-an-email', priority: 9 });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as {
        code: string;
        errors: Array<{ field: string }>;
        correlationId: string;
      };
      expect(body.code).toBe('VALIDATION_FAILED');
      expect(body.errors.map((e) => e.field).sort()).toEqual(['author', 'priority', 'title']);
      expect(body.correlationId).toBe(res.headers.get('x-correlation-id'));
    });

    it('refuses unknown fields instead of silently dropping them', async () => {
      const res = await postNote({ title: 'abc', author: 'a@example.com', priority: 1, admin: true });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: Array<{ field: string }> }).errors).toEqual([
        expect.objectContaining({ field: 'admin' }),
      ]);
    });

    it('answers malformed JSON with 400 INVALID_JSON', async () => {
      const res = await postNote('{"title": ');
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('INVALID_JSON');
    });

    it('answers a body over the limit with 413', async () => {
      const res = await postNote({ title: 'x'.repeat(10_000), author: 'a@example.com', priority: 1 });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers an unsupported content type with 415', async () => {
      const res = await fetch(`${base}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: 'a,b',
      });
      expect(res.status).toBe(415);
    });

    it('carries the code of an AppError', async () => {
      const res = await fetch(`${base}/notes/42`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({
        status: 404,
        code: 'NOTE_NOT_FOUND',
        detail: 'note 42 does not exist',
        type: 'https://helpline.example/problems/note-not-found',
        title: 'Not Found',
      });
    });

    it('answers an unknown route with a 404 problem', async () => {
      const res = await fetch(`${base}/nowhere`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND');
    });

    it('hides the message of an unexpected error behind a 500 INTERNAL_ERROR', async () => {
      const res = await fetch(`${base}/notes/boom`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ code: 'INTERNAL_ERROR' });
      expect(text).not.toContain('secret internal detail');
    });
  });

  describe('logs', () => {
    it('carry the correlation id on every line of a request and never the bearer token', async () => {
      const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl';
      await postNote(
        { title: 'logged-note', author: 'a@example.com', priority: 2 },
        { 'x-correlation-id': 'log-check-1', authorization: `Bearer ${token}` },
      );
      await fetch(`${base}/notes/x?access_token=${token}`, {
        headers: { 'x-correlation-id': 'log-check-2' },
      });
      const ofRequest = logs.lines.filter((l) => JSON.stringify(l).includes('log-check-1'));
      expect(ofRequest.length).toBeGreaterThanOrEqual(2); // the handler's line and "request completed"
      expect(ofRequest.every((l) => l.correlationId === 'log-check-1')).toBe(true);
      expect(ofRequest.some((l) => l.msg === 'creating note logged-note')).toBe(true);
      expect(logs.raw.some((l) => l.includes('log-check-2'))).toBe(true);
      expect(logs.raw.join('\n')).not.toContain(token);
    });

    it('write a "request aborted" line when the caller gives up before the answer', async () => {
      const controller = new AbortController();
      const call = fetch(`${base}/notes/slow?token=abc`, {
        headers: { 'x-correlation-id': 'aborted-1' },
        signal: controller.signal,
      }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort();
      await call;
      // The handler still finishes later; no "request completed" line claims an answer was sent.
      await new Promise((resolve) => setTimeout(resolve, 400));
      const lines = logs.lines.filter((l) => l.correlationId === 'aborted-1' && l.req);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 40,
          msg: 'request aborted',
          req: expect.objectContaining({ method: 'GET', url: '/notes/slow?token=[REDACTED]' }),
          responseTime: expect.any(Number),
        }),
      ]);
    });

    it('write one access line per request: method, masked URL, status, time, level by status', async () => {
      await fetch(`${base}/notes/x?access_token=abc.def&limit=2`, {
        headers: { 'x-correlation-id': 'access-1', 'user-agent': 'probe/1' },
      });
      await postNote(
        { title: 'access-note', author: 'a@example.com', priority: 2 },
        { 'x-correlation-id': 'access-2' },
      );
      await new Promise((resolve) => setImmediate(resolve));
      const access = (id: string) =>
        logs.lines.filter((l) => l.correlationId === id && l.msg === 'request completed');
      expect(access('access-1')).toEqual([
        expect.objectContaining({
          level: 40,
          service: 'test-service',
          req: {
            method: 'GET',
            url: '/notes/x?access_token=[REDACTED]&limit=2',
            remoteAddress: '127.0.0.1',
            userAgent: 'probe/1',
          },
          res: { statusCode: 404 },
          responseTime: expect.any(Number),
        }),
      ]);
      expect(access('access-2')).toEqual([
        expect.objectContaining({
          level: 30,
          req: expect.objectContaining({ method: 'POST', url: '/notes' }),
          res: { statusCode: 201 },
        }),
      ]);
    });
  });

  describe('health, metrics, docs', () => {
    it('keeps readiness polls and metric scrapes out of the log', async () => {
      await fetch(`${base}/health/ready?probe=1`);
      await fetch(`${base}/metrics`);
      await fetch(`${base}/notes/after-probe`);
      await new Promise((resolve) => setImmediate(resolve));
      const urls = logs.lines.map((l) => (l.req as { url?: string } | undefined)?.url).filter(Boolean);
      expect(urls).toContain('/notes/after-probe');
      expect(urls.filter((u) => u?.startsWith('/health') || u?.startsWith('/metrics'))).toEqual([]);
    });

    it('is live and ready while the database answers', async () => {
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    });

    it('exposes Prometheus metrics labelled by route template', async () => {
      await fetch(`${base}/notes/123`);
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).toMatch(/http_requests_total\{method="GET",route="\/notes\/:id",status_code="404"\} \d+/);
    });

    it('serves the OpenAPI document', async () => {
      const doc = (await (await fetch(`${base}/docs/json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toContain('/notes');
    });

    it('is not ready once the database is gone', async () => {
      await app.get<DatabaseHandle>(DATABASE_HANDLE).close();
      const res = await fetch(`${base}/health/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        code: 'NOT_READY',
        checks: { error: { database: { status: 'down' } } },
      });
    });
  });
});
