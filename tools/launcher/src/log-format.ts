/** Turning children's output into readable, prefixed lines. Pure functions, except the clock's time zone. */

const ESC = '\u001b[';
const RESET = `${ESC}0m`;
const PREFIX_COLORS = ['36', '35', '34', '33', '32', '96', '95', '94', '93', '92'];
const LEVELS: Record<number, { label: string; color: string }> = {
  10: { label: 'TRACE', color: '90' },
  20: { label: 'DEBUG', color: '90' },
  30: { label: 'INFO', color: '32' },
  40: { label: 'WARN', color: '33' },
  50: { label: 'ERROR', color: '31' },
  60: { label: 'FATAL', color: '41;97' },
};

export interface RenderOptions {
  /** ANSI colors on. */
  color: boolean;
  /** Pass lines through as they are (`LOG_FORMAT=json`) rather than rendering pino lines. */
  json: boolean;
}

export function paint(text: string, code: string, color: boolean): string {
  return color ? `${ESC}${code}m${text}${RESET}` : text;
}

/** The `name | ` prefix of a part's lines, padded to `width`; the i-th part gets the i-th color. */
export function linePrefix(name: string, width: number, index: number, color: boolean): string {
  const code = PREFIX_COLORS[index % PREFIX_COLORS.length] ?? '36';
  return `${paint(name.padEnd(width), code, color)} | `;
}

/** Puts `prefix` before every line of `text` (a rendered line may span several, e.g. a stack). */
export function prefixLines(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

/** One line of a child's output, rendered for a person: pino JSON made readable, the rest unchanged. */
export function renderLine(line: string, options: RenderOptions): string {
  if (options.json || !line.startsWith('{')) return line;
  try {
    const record: unknown = JSON.parse(line);
    if (!isPinoRecord(record)) return line;
    return renderPino(record, options.color);
  } catch {
    return line;
  }
}

type PinoRecord = Record<string, unknown> & { level: number | string };

function isPinoRecord(value: unknown): value is PinoRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return (
    (typeof record.level === 'number' || typeof record.level === 'string') &&
    ('msg' in record || 'time' in record)
  );
}

function renderPino(record: PinoRecord, color: boolean): string {
  const words: string[] = [];
  const time = clock(record.time);
  if (time) words.push(paint(time, '90', color));
  const level = levelOf(record.level);
  words.push(paint(level.label.padEnd(5), level.color, color));
  if (typeof record.context === 'string') words.push(paint(`[${record.context}]`, '90', color));
  const rawMsg = record.msg ?? record.message;
  const msg =
    text(rawMsg) ?? (typeof rawMsg === 'object' && rawMsg !== null ? JSON.stringify(rawMsg) : undefined);
  if (msg) words.push(msg);
  const request = requestSummary(record);
  if (request) words.push(request);
  const cid = text(record.correlationId ?? record.reqId);
  if (cid) words.push(paint(`correlationId=${cid}`, '90', color));
  const err = record.err ?? record.error;
  const stack = errorText(err);
  const head = words.join(' ').trimEnd();
  return stack ? `${head}\n${stack}` : head;
}

/** `GET /users 200 12ms` from pino-http's `req`/`res`/`responseTime`, or the same fields at the top level. */
function requestSummary(record: PinoRecord): string | undefined {
  const req = asObject(record.req);
  const res = asObject(record.res);
  const method = text(req?.method ?? record.method);
  const url = text(req?.url ?? record.url);
  if (!method || !url) return undefined;
  const status = text(res?.statusCode ?? record.statusCode ?? record.status);
  const ms = record.responseTime ?? record.durationMs;
  const parts = [method, url];
  if (status) parts.push(status);
  if (typeof ms === 'number') parts.push(`${Math.round(ms)}ms`);
  return parts.join(' ');
}

function errorText(err: unknown): string | undefined {
  const obj = asObject(err);
  if (!obj) return undefined;
  const stack = text(obj.stack);
  if (stack) return stack;
  const message = text(obj.message);
  return message ? `${text(obj.type) ?? 'Error'}: ${message}` : undefined;
}

function levelOf(level: number | string): { label: string; color: string } {
  if (typeof level === 'number') return LEVELS[level] ?? { label: `L${level}`, color: '0' };
  const known = Object.values(LEVELS).find((l) => l.label === level.toUpperCase());
  return known ?? { label: level.toUpperCase(), color: '0' };
}

/** HH:MM:SS in local time, from pino's epoch milliseconds or an ISO string. */
function clock(time: unknown): string | undefined {
  if (typeof time !== 'number' && typeof time !== 'string') return undefined;
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return undefined;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A partial line longer than this is emitted as it is, so a child that never ends a line cannot fill memory. */
const MAX_PENDING = 64 * 1024;

/** Cuts a byte stream into lines, keeping a partial last line until the rest arrives. */
export class LineSplitter {
  private pending = '';

  push(chunk: string): string[] {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    if (this.pending.length > MAX_PENDING) lines.push(this.end()[0] ?? '');
    return lines.map(stripCr);
  }

  /** What is left when the stream ends. */
  end(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest ? [stripCr(rest)] : [];
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
