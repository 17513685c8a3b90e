import fc from 'fast-check';
import type { DestinationStream } from 'pino';
import { describe, expect, it } from 'vitest';
import { type AccessEntry, AccessLog } from './access-log.js';

function capture() {
  const lines: string[] = [];
  const stream: DestinationStream = { write: (line: string) => void lines.push(line) };
  return { lines, stream, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
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
    new AccessLog(out.stream, 'api-gateway', 'info').answered(ENTRY);
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
    const [notFound, aborted] = out.parsed();
    expect(Object.keys(notFound!)).not.toContain('caller');
    expect(Object.keys(notFound!)).not.toContain('upstream');
    expect(aborted).toMatchObject({ level: 40, aborted: true, upstream: 'order-service' });
    expect(Object.keys(aborted!)).not.toContain('status');
  });

  it('follows the log level: warn keeps the aborted lines only, silent none', () => {
    const warn = capture();
    new AccessLog(warn.stream, 'api-gateway', 'warn').answered(ENTRY);
    new AccessLog(warn.stream, 'api-gateway', 'warn').aborted(ENTRY);
    expect(warn.parsed().map((l) => l.level)).toEqual([40]);

    const silent = capture();
    new AccessLog(silent.stream, 'api-gateway', 'silent').aborted(ENTRY);
    expect(silent.lines).toEqual([]);

    const debug = capture();
    new AccessLog(debug.stream, 'api-gateway', 'debug').answered(ENTRY);
    expect(debug.lines).toHaveLength(1);
  });

  it('writes numbers JSON cannot hold as null', () => {
    const out = capture();
    new AccessLog(out.stream, 'api-gateway', 'info').answered({ ...ENTRY, durationMs: Number.NaN });
    expect(out.parsed()[0]!.durationMs).toBeNull();
  });

  it('stays one line of valid JSON whatever the strings hold (quotes, control characters, newlines)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (caller, route) => {
        const out = capture();
        new AccessLog(out.stream, 'api-gateway', 'info').answered({ ...ENTRY, caller, route });
        expect(out.lines).toHaveLength(1);
        expect(out.lines[0]!.indexOf('\n')).toBe(out.lines[0]!.length - 1);
        expect(out.parsed()[0]).toMatchObject({ caller, route, msg: 'access' });
      }),
    );
  });
});
