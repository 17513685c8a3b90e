import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export const READY_POLL_INTERVAL_MS = 200;
const PROBE_TIMEOUT_MS = 1_000;

/** True when nothing listens on `port` at `host`: we could bind it ourselves. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * The HTTP status `url` answers with, or undefined when it does not answer (refused, timed out).
 * One connection per probe, closed after: the launcher must not hold sockets open in a child.
 */
export function probe(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { agent: false, headers: { connection: 'close' }, timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Aborting stops the wait at once (the part exited, or the launcher is stopping). */
  signal: AbortSignal;
}

/** Polls `url` until it answers 200 (true) or `timeoutMs` passes (false); rejects when `signal` aborts. */
export async function waitUntilReady(url: string, options: WaitOptions): Promise<boolean> {
  const interval = options.intervalMs ?? READY_POLL_INTERVAL_MS;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.signal.throwIfAborted();
    const left = deadline - Date.now();
    if ((await probe(url, Math.max(1, Math.min(PROBE_TIMEOUT_MS, left)))) === 200) return true;
    options.signal.throwIfAborted();
    if (Date.now() >= deadline) return false;
    await delay(Math.min(interval, Math.max(0, deadline - Date.now())), undefined, {
      signal: options.signal,
    });
  }
}

/**
 * Waits for the child's `process.send('ready')` (true), or `timeoutMs` (false); rejects when
 * `signal` aborts. For parts that are no HTTP server, such as the database.
 */
export function waitForReadyMessage(
  child: ChildProcess,
  options: Pick<WaitOptions, 'timeoutMs' | 'signal'>,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const finish = (outcome: () => void): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      options.signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const onMessage = (message: unknown): void => {
      if (message === 'ready') finish(() => resolve(true));
    };
    const onAbort = (): void => finish(() => reject(options.signal.reason));
    const timer = setTimeout(() => finish(() => resolve(false)), options.timeoutMs);
    if (options.signal.aborted) return onAbort();
    child.on('message', onMessage);
    options.signal.addEventListener('abort', onAbort, { once: true });
  });
}
