import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * One JSON document on disk, replaced atomically (a temp file in the same directory, then rename), so a
 * crash mid-write leaves the old document rather than half a new one. Writes are queued: the last one wins
 * and none interleave.
 */
export class JsonFile<T> {
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** The document, or `undefined` when the file does not exist yet. */
  async read(): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new Error(`${this.path} is not valid JSON; fix or delete it`, { cause: error });
    }
  }

  write(value: T): Promise<void> {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    const next = this.queue.then(() => this.replace(text));
    // A failed write must not wedge the ones after it; the caller still sees its own failure.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async replace(text: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temp, text, { encoding: 'utf8', mode: 0o600 });
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
