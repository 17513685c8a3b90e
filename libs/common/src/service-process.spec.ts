import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@helpline/testing';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./__fixtures__/service-main.ts', import.meta.url));
const VITE_NODE = fileURLToPath(new URL('../../../node_modules/vite-node/vite-node.mjs', import.meta.url));

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; ms: number }>;
}

const started: ChildProcess[] = [];

/** The fixture service as its own process, as `node dist/main.js` would run it. */
function run(env: Record<string, string>): Running {
  const child = spawn(process.execPath, [VITE_NODE, '--config', 'vitest.config.ts', FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let signalledAt = 0;
  const kill = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => {
    signalledAt = performance.now();
    return kill(signal);
  };
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, ms: performance.now() - signalledAt })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves once the service answers on `port`; fails if it exits or takes too long. */
async function answering(svc: Running, port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (svc.child.exitCode !== null) throw new Error(`the service exited: ${svc.stderr()}`);
    const res = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined);
    if (res?.ok) return;
    if (Date.now() > deadline) throw new Error('the service did not answer in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a service process', () => {
  // A failed expectation must not leave a service running.
  afterEach(() => {
    for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('ends a start-up failure in one line naming the service and the cause, exit 1', async () => {
    const closed = await freePort();
    const svc = run({ DATABASE_URL: `postgres://u:p@127.0.0.1:${closed}/db`, PORT: '0' });
    const { code } = await svc.exited;
    expect(code).toBe(1);
    expect(svc.stderr().trim().split('\n')).toEqual([
      `fixture-service failed to start: connect ECONNREFUSED 127.0.0.1:${closed}`,
    ]);
    expect(svc.stdout()).not.toMatch(/ExceptionHandler|at async/);
  });

  it('exits after the drain deadline when a request never finishes after SIGTERM', async () => {
    const port = await freePort();
    const svc = run({ PORT: String(port), SHUTDOWN_TIMEOUT_MS: '500', LOG_LEVEL: 'warn' });
    await answering(svc, port);
    // A request that holds on forever, as one waiting on a lock held elsewhere would.
    void fetch(`http://127.0.0.1:${port}/hang`).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    svc.child.kill('SIGTERM');
    const { code, ms } = await svc.exited;
    expect(code).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(5_000);
    expect(svc.stdout()).toContain('did not finish its requests within 500 ms of SIGTERM; exiting');
  });

  it('exits at once, cleanly, on SIGTERM when nothing is in flight', async () => {
    const port = await freePort();
    const svc = run({ PORT: String(port), SHUTDOWN_TIMEOUT_MS: '20000', LOG_LEVEL: 'warn' });
    await answering(svc, port);
    svc.child.kill('SIGTERM');
    const { code, ms } = await svc.exited;
    expect(code === 0 || code === null).toBe(true);
    expect(ms).toBeLessThan(5_000);
  });

  it("writes out every log line, the last request's too, before it exits on SIGTERM", async () => {
    const port = await freePort();
    const svc = run({ PORT: String(port), SHUTDOWN_TIMEOUT_MS: '20000', LOG_LEVEL: 'info' });
    await answering(svc, port);
    // Its access line is held in the log's buffer (flushed every 100 ms or 16 KB) when the signal
    // comes right after the answer.
    const res = await fetch(`http://127.0.0.1:${port}/ping`, {
      headers: { 'x-correlation-id': 'the-last-request' },
    });
    expect(res.status).toBe(200);
    svc.child.kill('SIGTERM');
    const { code } = await svc.exited;
    const last = svc
      .stdout()
      .split('\n')
      .filter((line) => line.includes('the-last-request'));
    expect(last).toHaveLength(1);
    expect(JSON.parse(last[0]!)).toMatchObject({
      correlationId: 'the-last-request',
      res: { statusCode: 200 },
    });
    expect(code).toBe(0);
  });
});
