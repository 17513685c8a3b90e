import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture, type TestDatabase } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from './__fixtures__/test-app.js';

/** `requestContext: false`, as the gateway runs: no request context, and error lines still name the id. */
describe('an app without the request context', () => {
  let app: NestFastifyApplication;
  let base: string;
  let database: TestDatabase;
  const logs = new LogCapture();

  beforeAll(async () => {
    ({ app, base, database } = await startTestApp(logs, { requestContext: false }));
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('runs handlers outside any request context, and still echoes the correlation id', async () => {
    const res = await fetch(`${base}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'no-context-1' },
      body: JSON.stringify({ title: 'no-context', author: 'a@example.com', priority: 1 }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-correlation-id')).toBe('no-context-1');
    // The fixture's handler answers with what RequestContext holds: nothing, here.
    expect(((await res.json()) as { correlationId?: string }).correlationId).toBeUndefined();
  });

  it("names the correlation id on a 5xx's error line itself", async () => {
    const res = await fetch(`${base}/notes/boom`, { headers: { 'x-correlation-id': 'no-context-2' } });
    expect(res.status).toBe(500);
    await expect
      .poll(() => logs.lines.filter((l) => l.msg === 'request failed: INTERNAL_ERROR'))
      .toEqual([expect.objectContaining({ correlationId: 'no-context-2', code: 'INTERNAL_ERROR' })]);
  });
});
