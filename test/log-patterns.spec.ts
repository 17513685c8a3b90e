import { Writable } from 'node:stream';
import { accessLogger } from '@helpline/common';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { AccessLog } from '../apps/api-gateway/src/edge/access-log.js';
import type { ClaimedTask, OrdersRepository } from '../apps/order-service/src/orders/orders.repository.js';
import type { StockReservations } from '../apps/order-service/src/orders/orders.ports.js';
import {
  RESERVATION_WORKER_DEFAULTS,
  ReservationTasksWorker,
} from '../apps/order-service/src/orders/reservation-tasks.worker.js';
import { createLimitStore } from '../apps/api-gateway/src/limits/limits.module.js';
import { InsuredLimitStore } from '../apps/api-gateway/src/limits/redis-limit-store.js';
import { GATEWAY_REDIS_FAILING, GATEWAY_THROTTLED, OUTBOX_RETRY } from '../infra/cdk/src/log-patterns.js';
import { freePort } from '@helpline/testing';

/**
 * The CDK app's alarms count log lines with CloudWatch filter patterns (infra/cdk/src/log-patterns.ts).
 * A pattern that matches no line the apps write is an alarm that never fires, and nothing else
 * would notice: here each pattern meets the lines the apps really write, and the ones it must not
 * match.
 */

/**
 * CloudWatch's JSON filter syntax, for what these patterns use: `{ $.a.b = 429 }`,
 * `{ $.msg = "*x*" }` (`*` any text), terms joined by `||`.
 */
function matches(pattern: string, line: string): boolean {
  const body = /^\{\s*(.*?)\s*\}$/.exec(pattern)?.[1];
  if (!body) throw new Error(`not a JSON filter pattern: ${pattern}`);
  const json = JSON.parse(line) as Record<string, unknown>;
  return body.split('||').some((term) => {
    const m = /^\(?\s*\$\.([\w.]+)\s*=\s*(?:"([^"]*)"|(-?\d+(?:\.\d+)?))\s*\)?$/.exec(term.trim());
    if (!m) throw new Error(`a term this check does not read: ${term}`);
    const value = m[1]!.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown>)?.[key], json);
    if (m[3] !== undefined) return typeof value === 'number' && value === Number(m[3]);
    const wildcard = new RegExp(`^${m[2]!.split('*').map(escape).join('.*')}$`);
    return (typeof value === 'string' || typeof value === 'number') && wildcard.test(String(value));
  });
}
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('the alarms’ log filter patterns', () => {
  it("the gateway's 429s: its access line for a proxied request, and its own routes' request line", async () => {
    const edge: string[] = [];
    // The edge writes its lines in batches; CloudWatch takes each line as one event.
    const log = new AccessLog(
      { write: (chunk: string) => edge.push(...chunk.split(/(?<=\n)/)) },
      'api-gateway',
      'info',
    );
    const entry = { correlationId: 'c', method: 'GET', route: '/users/*', upstream: 'user-service' };
    log.answered({ ...entry, status: 429, durationMs: 1 });
    log.answered({ ...entry, status: 200, durationMs: 1 });
    log.answered({ ...entry, status: 4290, durationMs: 1 });

    const { lines: own, stream } = capture();
    const request = accessLogger({ level: 'info', serviceName: 'api-gateway', destination: stream });
    for (const statusCode of [429, 201]) {
      request({
        method: 'POST',
        url: '/admin/api-keys',
        remoteAddress: '127.0.0.1',
        userAgent: 'test',
        statusCode,
        responseTimeMs: 1,
        correlationId: 'c',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(edge).toHaveLength(3);
    expect(own).toHaveLength(2);
    expect([...edge, ...own].map((line) => matches(GATEWAY_THROTTLED, line))).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
  });

  it("order-service's failed outbox attempts, and not its other warnings", async () => {
    const warnings: string[] = [];
    Logger.overrideLogger({
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => warnings.push(String(message)),
    });
    try {
      let claimed = false;
      const task = { id: 't', orderId: 'o', action: 'release', attempts: 0 } as unknown as ClaimedTask;
      const repository = {
        abandoned: async () => [],
        claimTasks: async () => (claimed ? [] : ((claimed = true), [task])),
        retryTaskLater: async () => undefined,
      } as unknown as OrdersRepository;
      const stock = {
        voidKey: async () => {
          throw Object.assign(new Error('down'), { code: 'UPSTREAM_UNAVAILABLE' });
        },
      } as unknown as StockReservations;
      const worker = new ReservationTasksWorker(repository, stock, {
        ...RESERVATION_WORKER_DEFAULTS,
        autoStart: false,
      });
      await worker.runOnce();
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
    expect(warnings).toHaveLength(1);
    // In production nestjs-pino writes the message as `msg`.
    expect(matches(OUTBOX_RETRY, JSON.stringify({ level: 40, msg: warnings[0] }))).toBe(true);
    expect(
      matches(OUTBOX_RETRY, JSON.stringify({ level: 40, msg: 'order o was abandoned mid-placement' })),
    ).toBe(false);
  });

  it('the gateway losing its Redis: the warning it writes when an outage begins, not the one when it ends', async () => {
    const warned: string[] = [];
    const said: string[] = [];
    // Nothing listens on this port: Redis is down from the start.
    const store = createLimitStore({ redisUrl: `redis://127.0.0.1:${await freePort()}` }, 1, {
      warn: (_fields: unknown, message?: string) => warned.push(String(message)),
      log: (message: unknown) => said.push(String(message)),
    } as never);
    expect(store).toBeInstanceOf(InsuredLimitStore);
    try {
      await (store as InsuredLimitStore).start(200);
    } finally {
      await store.close();
    }
    expect(warned).toHaveLength(1);
    // In production nestjs-pino writes the message as `msg`, the error beside it as `err`.
    const line = (msg: string) => JSON.stringify({ level: 40, err: { message: 'x' }, msg });
    expect(matches(GATEWAY_REDIS_FAILING, line(warned[0]!))).toBe(true);
    expect(matches(GATEWAY_REDIS_FAILING, line('Redis is back: usage plans are shared again'))).toBe(false);
  });
});
