import { describe, expect, it } from 'vitest';
import { renderBanner } from './banner.js';
import { LineSplitter, linePrefix, prefixLines, renderLine } from './log-format.js';

const plain = { color: false, json: false };
// Local time, so the expected HH:MM:SS holds in any time zone.
const time = new Date(2026, 10, 24, 9, 5, 7).getTime();

describe('renderLine', () => {
  it('renders a pino line as time, level, message and correlation id', () => {
    const line = JSON.stringify({
      level: 30,
      time,
      pid: 1,
      hostname: 'h',
      msg: 'user created',
      correlationId: 'c-1',
    });
    expect(renderLine(line, plain)).toBe('09:05:07 INFO  user created correlationId=c-1');
  });

  it('renders a request-completed line with method, url, status and response time', () => {
    const line = JSON.stringify({
      level: 30,
      time,
      req: { id: 1, method: 'GET', url: '/users/me', headers: {} },
      res: { statusCode: 200 },
      responseTime: 12.4,
      msg: 'request completed',
      correlationId: 'abc',
    });
    expect(renderLine(line, plain)).toBe(
      '09:05:07 INFO  request completed GET /users/me 200 12ms correlationId=abc',
    );
  });

  it('shows the Nest context, level names and the error stack', () => {
    const line = JSON.stringify({
      level: 50,
      time: new Date(time).toISOString(),
      context: 'ExceptionsHandler',
      msg: 'failed',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x.js:1:1' },
    });
    expect(renderLine(line, plain)).toBe(
      '09:05:07 ERROR [ExceptionsHandler] failed\nError: boom\n    at x.js:1:1',
    );
    expect(renderLine(JSON.stringify({ level: 'warn', msg: 'careful' }), plain)).toBe('WARN  careful');
    expect(renderLine(JSON.stringify({ level: 40, msg: 'x', err: { message: 'm' } }), plain)).toBe(
      'WARN  x\nError: m',
    );
  });

  it('passes non-JSON, non-pino and malformed lines through unchanged', () => {
    for (const line of [
      'plain text',
      '',
      '{not json',
      '{"level":30',
      '{"hello":"world"}',
      '[1,2]',
      '{"level":{},"msg":"x"}',
      '{"level":30,"msg":{"nested":true}}',
      'null',
    ]) {
      expect(() => renderLine(line, plain)).not.toThrow();
    }
    expect(renderLine('plain text', plain)).toBe('plain text');
    expect(renderLine('{not json', plain)).toBe('{not json');
    expect(renderLine('{"hello":"world"}', plain)).toBe('{"hello":"world"}');
    expect(renderLine('{"level":30,"msg":{"nested":true}}', plain)).toBe('INFO  {"nested":true}');
  });

  it('passes pino lines through raw with LOG_FORMAT=json', () => {
    const line = JSON.stringify({ level: 30, time, msg: 'hi' });
    expect(renderLine(line, { color: false, json: true })).toBe(line);
  });

  it('colors only when asked', () => {
    const line = JSON.stringify({ level: 50, time, msg: 'bad' });
    expect(renderLine(line, { color: true, json: false })).toContain('\u001b[31mERROR');
    expect(renderLine(line, plain)).not.toContain('\u001b');
  });
});

describe('prefixes', () => {
  it('pads the name and prefixes every line of a multi-line text', () => {
    const prefix = linePrefix('identity', 12, 0, false);
    expect(prefix).toBe('identity     | ');
    expect(prefixLines('a\nb', prefix)).toBe('identity     | a\nidentity     | b');
  });

  it('colors the name only when asked', () => {
    expect(linePrefix('a', 3, 1, true)).toBe('\u001b[35ma  \u001b[0m | ');
  });
});

describe('LineSplitter', () => {
  it('joins chunks into lines, strips CR, and flushes the last partial line', () => {
    const s = new LineSplitter();
    expect(s.push('one\ntw')).toEqual(['one']);
    expect(s.push('o\r\nthr')).toEqual(['two']);
    expect(s.push('ee')).toEqual([]);
    expect(s.end()).toEqual(['three']);
    expect(s.end()).toEqual([]);
  });

  it('does not hold an endless line in memory', () => {
    const s = new LineSplitter();
    expect(s.push('x'.repeat(70_000))).toHaveLength(1);
  });
});

describe('renderBanner', () => {
  it('lists each part with its URLs, then the notes, then how to stop', () => {
    const banner = renderBanner(
      [
        {
          name: 'user-service',
          command: ['node'],
          port: 3000,
          env: {},
          readyUrl: 'http://127.0.0.1:3000/health/ready',
          dependsOn: [],
          urls: { api: 'http://localhost:3000', docs: 'http://localhost:3000/docs' },
        },
        {
          name: 'bare',
          command: ['node'],
          port: 1,
          env: {},
          readyUrl: 'http://127.0.0.1:1/r',
          dependsOn: [],
        },
      ],
      ['Demo users: admin@example.com'],
      false,
    );
    expect(banner).toContain('Ready: user-service, bare.');
    expect(banner).toContain(
      '  user-service\n    api   http://localhost:3000\n    docs  http://localhost:3000/docs',
    );
    expect(banner).toContain('  bare\n    ready  http://127.0.0.1:1/r');
    expect(banner.indexOf('Demo users')).toBeGreaterThan(banner.indexOf('docs'));
    expect(banner).toContain('Press Ctrl-C to stop.');
  });
});
