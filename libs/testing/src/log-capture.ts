import { Writable } from 'node:stream';

/** A pino destination that keeps what was logged: each line raw and parsed. */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }

  /** Everything logged so far, as one string to search. */
  text(): string {
    return this.raw.join('\n');
  }
}
