import fc from 'fast-check';
import type { DestinationStream } from 'pino';
import { describe, expect, it } from 'vitest';
import { ACCESS_BATCH_CHARS, ACCESS_BATCH_MS, type AccessEntry, AccessLog } from './access-log.js';

/** What reaches the stream, split into lines: the log writes its lines in batches. */
function capture() {
  const writes: string[] = [];
  const lines: string[] = [];
  const stream: DestinationStream = {
    write: (chunk: string) => {
      writes.push(chunk);
      lines.push(...chunk.split(/(?<=\n)/));
    },
  };
  return {
    writes,
    lines,
    stream,
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** One log at `level`, what `use` has it write, and its pending lines flushed. */
function write(out: ReturnType<typeof capture>, level: string, use: (log: AccessLog) => void): void {
  const log = new AccessLog(out.stream, 'api-gateway', level);
  use(log);
  log.flush();
}

const ENTRY: AccessEntry = {
  correlationId: 'c-1',
  method: 'GET',
  route: '/products/*',
  upstream: 'product-service',
  caller: 'sub-1',
  status: 200,
  durationMs: 1.5,
};

describe('the access line', () => {
  it("is one JSON line in the shape of the service's other lines", () => {
    const out = capture();
    const before = Date.now();
    write(out, 'info', (log) => log.answered(ENTRY));
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]!.endsWith('}\n')).toBe(true);
    const [line] = out.parsed();
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      service: 'api-gateway',
      context: 'Access',
      ...ENTRY,
      msg: 'access',
    });
    expect(line!.time).toBeGreaterThanOrEqual(before);
  });

  it('leaves out what it does not know, and marks an aborted request at warn', () => {
    const out = capture();
    const log = new AccessLog(out.stream, 'api-gateway', 'info');
    log.answered({
      correlationId: 'c-2',
      method: 'PROPFIND',
      route: 'unmatched',
      status: 404,
      durationMs: 0.1,
    });
    log.aborted({ correlationId: 'c-3', method: 'GET', route: '/orders/*', upstream: 'order-service' });
    log.flush();
    const [notFound, aborted] = out.parsed();
    expect(Object.keys(notFound!)).not.toContain('caller');
    expect(Object.keys(notFound!)).not.toContain('upstream');
    expect(aborted).toMatchObject({ level: 40, aborted: true, upstream: 'order-service' });
    expect(Object.keys(aborted!)).not.toContain('status');
  });

  it('follows the log level: warn keeps the aborted lines only, silent none', () => {
    const warn = capture();
    write(warn, 'warn', (log) => log.answered(ENTRY));
    write(warn, 'warn', (log) => log.aborted(ENTRY));
    expect(warn.parsed().map((l) => l.level)).toEqual([40]);

    const silent = capture();
    write(silent, 'silent', (log) => log.aborted(ENTRY));
    expect(silent.lines).toEqual([]);

    const debug = capture();
    write(debug, 'debug', (log) => log.answered(ENTRY));
    expect(debug.lines).toHaveLength(1);
  });

  it('writes numbers JSON cannot hold as null', () => {
    const out = capture();
    write(out, 'info', (log) => log.answered({ ...ENTRY, durationMs: Number.NaN }));
    expect(out.parsed()[0]!.durationMs).toBeNull();
  });

  it('stays one line of valid JSON whatever the strings hold (quotes, control characters, newlines)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (caller, route) => {
        const out = capture();
        write(out, 'info', (log) => log.answered({ ...ENTRY, caller, route }));
        expect(out.lines).toHaveLength(1);
        expect(out.lines[0]!.indexOf('\n')).toBe(out.lines[0]!.length - 1);
        expect(out.parsed()[0]).toMatchObject({ caller, route, msg: 'access' });
      }),
    );
  });
});

describe('writing the lines', () => {
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('writes pending lines in one write, in order, once the first has waited ACCESS_BATCH_MS', async () => {
    const out = capture();
    const log = new AccessLog(out.stream, 'api-gateway', 'info');
    for (let i = 0; i < 5; i++) log.answered({ ...ENTRY, correlationId: `c-${i}` });
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.writes).toEqual([]);
    await wait(ACCESS_BATCH_MS + 30);
    expect(out.writes).toHaveLength(1);
    expect(out.parsed().map((l) => l.correlationId)).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4']);

    // Later lines go in a write of their own, after the first.
    log.aborted({ ...ENTRY, correlationId: 'c-5' });
    await wait(ACCESS_BATCH_MS + 30);
    expect(out.writes).toHaveLength(2);
    expect(out.parsed().at(-1)).toMatchObject({ correlationId: 'c-5', aborted: true });
  });

  it('writes at once when ACCESS_BATCH_CHARS are pending, whole lines only', () => {
    const out = capture();
    const log = new AccessLog(out.stream, 'api-gateway', 'info');
    let sent = 0;
    while (out.writes.length === 0) {
      log.answered({ ...ENTRY, correlationId: `c-${sent++}` });
      expect(sent).toBeLessThan(ACCESS_BATCH_CHARS);
    }
    expect(out.writes[0]!.length).toBeGreaterThanOrEqual(ACCESS_BATCH_CHARS);
    expect(out.writes[0]!.endsWith('}\n')).toBe(true);
    expect(out.parsed().map((l) => l.correlationId)).toEqual(
      Array.from({ length: sent }, (_, i) => `c-${i}`),
    );
    // Nothing is written twice.
    log.flush();
    expect(out.writes).toHaveLength(1);
  });

  it('writes nothing when nothing is pending, and flushes the pending lines on exit', async () => {
    const writes: string[] = [];
    let synced = 0;
    const stream = { write: (chunk: string) => void writes.push(chunk), flushSync: () => void synced++ };
    const log = new AccessLog(stream, 'api-gateway', 'info');
    log.flush();
    expect(writes).toEqual([]);
    log.answered(ENTRY);
    log.flushOnExit();
    expect(writes).toHaveLength(1);
    expect(synced).toBe(1);
    // Nothing is written twice.
    await wait(ACCESS_BATCH_MS + 30);
    expect(writes).toHaveLength(1);
  });
});
