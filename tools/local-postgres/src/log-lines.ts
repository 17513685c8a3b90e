export type LogLevel = 'info' | 'warn' | 'error';

const LEVEL_BY_SEVERITY: Record<string, LogLevel> = {
  DEBUG: 'info',
  INFO: 'info',
  NOTICE: 'info',
  LOG: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  FATAL: 'error',
  PANIC: 'error',
};

/**
 * PostgreSQL's stderr (run with an empty log_line_prefix) as messages with a level:
 * `WARNING:  ...` → warn. Continuation lines (DETAIL, HINT, a wrapped message) keep the level of
 * the line they continue.
 */
export class PostgresLogSplitter {
  private buffer = '';
  private level: LogLevel = 'info';

  constructor(private readonly emit: (level: LogLevel, message: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      this.line(this.buffer.slice(0, newline));
      this.buffer = this.buffer.slice(newline + 1);
    }
  }

  end(): void {
    if (this.buffer) this.line(this.buffer);
    this.buffer = '';
  }

  private line(raw: string): void {
    const line = raw.trimEnd();
    if (!line) return;
    const match = /^([A-Z]+):\s+(.*)$/.exec(line);
    const severity = match?.[1] && LEVEL_BY_SEVERITY[match[1]];
    if (severity) this.level = severity;
    this.emit(this.level, severity && match?.[2] !== undefined ? match[2] : line.trim());
  }
}
