import { type DestinationStream, pino } from 'pino';

/** Pending lines are written once they reach this many characters (about 30 lines)... */
export const ACCESS_BATCH_CHARS = 8192;
/** ...or once the first of them has waited this long. */
export const ACCESS_BATCH_MS = 20;

/** What the access line says about one request. */
export interface AccessEntry {
  correlationId: string;
  method: string;
  /** The route template (`/products/*`), or `unmatched`. */
  route: string;
  upstream?: string;
  /** The caller's token `sub`. */
  caller?: string;
  apiKeyId?: string;
  status?: number;
  durationMs?: number;
  /** The caller closed the connection before the whole answer was sent. */
  aborted?: boolean;
}

/**
 * The edge's access line: one JSON object per request on the service's log stream, in the shape
 * of every other line (`{"level":30,"time":…,"service":…,"context":"Access",…,"msg":"access"}`).
 *
 * It is built here rather than by pino's `info(fields)`, which, being general, escapes every key
 * and checks every value's type on every line: twice the CPU of this (measured, 9 against 4 µs a
 * line), a few per cent of a proxied request. The fields are fixed and few, every string in them
 * goes through JSON.stringify, and the level threshold is pino's.
 *
 * Lines go to the stream in batches: once 8 KiB of them are pending, or 20 ms after the first
 * of them. pino's asynchronous destination measures the UTF-8 length of its whole pending buffer
 * on every write, so a line written on its own cost 2–3 µs more than the line itself, about a
 * twentieth of a proxied request; batched per event-loop turn a request cost 61–67 µs instead of
 * 69–76, and in these batches about 3 µs less again with two workers (README, "Where the targets
 * stand"). The stream holds them for up to 100 ms more, as it holds every line. `flush()` writes
 * what is pending at once; the edge's close and the process's exit do. The timer is unref'd: it
 * keeps no process alive.
 */
export class AccessLog {
  private readonly info: boolean;
  private readonly warn: boolean;
  private readonly bindings: string;
  /** The lines written since the last flush, in order. */
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly flushSoon = () => this.flush();

  constructor(
    private readonly stream: DestinationStream,
    service: string,
    level: string,
  ) {
    const threshold = level === 'silent' ? Infinity : (pino.levels.values[level] ?? 30);
    this.info = threshold <= 30;
    this.warn = threshold <= 40;
    this.bindings = `,"service":${JSON.stringify(service)},"context":"Access"`;
  }

  /** Writes the pending lines to the stream now. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending === '') return;
    const lines = this.pending;
    this.pending = '';
    this.stream.write(lines);
  }

  /**
   * On the process's exit (`process.once('exit', …)`): the pending lines, and the stream's own
   * buffer after them, written out before the process goes.
   */
  flushOnExit(): void {
    this.flush();
    try {
      (this.stream as { flushSync?: () => void }).flushSync?.();
    } catch {
      // Nothing more can be done for a stream that cannot be written as the process exits.
    }
  }

  /** A request answered (at info). */
  answered(entry: AccessEntry): void {
    if (this.info) this.write(30, entry);
  }

  /** A request its caller gave up on before the answer was complete (at warn). */
  aborted(entry: AccessEntry): void {
    if (this.warn) this.write(40, { ...entry, aborted: true });
  }

  private write(level: number, e: AccessEntry): void {
    let line = `{"level":${level},"time":${Date.now()}${this.bindings},"correlationId":${JSON.stringify(e.correlationId)},"method":${JSON.stringify(e.method)},"route":${JSON.stringify(e.route)}`;
    if (e.upstream !== undefined) line += `,"upstream":${JSON.stringify(e.upstream)}`;
    if (e.caller !== undefined) line += `,"caller":${JSON.stringify(e.caller)}`;
    if (e.apiKeyId !== undefined) line += `,"apiKeyId":${JSON.stringify(e.apiKeyId)}`;
    if (e.status !== undefined) line += `,"status":${number(e.status)}`;
    if (e.durationMs !== undefined) line += `,"durationMs":${number(e.durationMs)}`;
    if (e.aborted) line += `,"aborted":true`;
    this.pending += `${line},"msg":"access"}\n`;
    if (this.pending.length >= ACCESS_BATCH_CHARS) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(this.flushSoon, ACCESS_BATCH_MS);
      this.timer.unref();
    }
  }
}

/** A number as JSON has it: null for what JSON cannot hold, as pino writes it. */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
