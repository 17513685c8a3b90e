import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:net';
import { freePort } from '@helpline/testing';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Launcher, type LauncherOptions, nodeFlags } from './launcher.js';
import { runSystem } from './run.js';
import { LauncherError, type Part } from './part.js';
import { probe } from './readiness.js';

const FAKE_PART = fileURLToPath(new URL('./fixtures/fake-part.mjs', import.meta.url));
const CWD = fileURLToPath(new URL('..', import.meta.url));

async function fake(
  name: string,
  env: Record<string, string> = {},
  extra: Partial<Part> = {},
): Promise<Part & { readyUrl: string }> {
  const port = await freePort();
  return {
    name,
    command: ['node', FAKE_PART],
    port,
    env: { FAKE_NAME: name, PORT: String(port), ...env },
    readyUrl: `http://127.0.0.1:${port}/health/ready`,
    dependsOn: [],
    ...extra,
  };
}

/** Output sink; LOG_FORMAT=json so the fakes' pids can be read back from it. */
function output(): { write: (t: string) => void; text: () => string; pids: () => number[] } {
  const chunks: string[] = [];
  const text = (): string => chunks.join('');
  return {
    write: (t) => chunks.push(t),
    text,
    pids: () => [...new Set(Array.from(text().matchAll(/"pid":(\d+)/g), (m) => Number(m[1])))],
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function options(out: ReturnType<typeof output>, extra: Partial<LauncherOptions> = {}): LauncherOptions {
  return { cwd: CWD, write: out.write, json: true, readyIntervalMs: 25, stopTimeoutMs: 3_000, ...extra };
}

const launchers: Launcher[] = [];
function launcher(parts: Part[], opts: LauncherOptions): Launcher {
  const l = new Launcher(parts, opts);
  launchers.push(l);
  return l;
}
afterEach(async () => {
  await Promise.all(launchers.splice(0).map((l) => l.stop()));
});

async function rejection(promise: Promise<unknown>): Promise<LauncherError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof LauncherError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

function indexOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  expect(i, `output should contain ${JSON.stringify(needle)}`).toBeGreaterThanOrEqual(0);
  return i;
}

describe('Launcher', () => {
  it('starts a part only once its dependency is ready, independent parts at once, and stops in reverse', async () => {
    const a = await fake('a', { READY_AFTER_MS: '300' });
    const b = await fake('b', { REQUIRE_READY: a.readyUrl }, { dependsOn: ['a'] });
    const c = await fake('c');
    const out = output();
    const l = launcher([b, a, c], options(out));

    await l.start();

    const text = out.text();
    expect(indexOf(text, 'a is ready')).toBeLessThan(indexOf(text, 'starting b'));
    // c depends on nothing: it does not wait for a.
    expect(indexOf(text, 'starting c')).toBeLessThan(indexOf(text, 'a is ready'));
    expect(text).toMatch(/b +\| .*"msg":"dependency was ready"/);
    expect(await probe(b.readyUrl)).toBe(200);

    const pids = out.pids();
    expect(pids).toHaveLength(3);
    await l.stop();
    const stopped = out.text();
    expect(indexOf(stopped, 'stopping b')).toBeLessThan(indexOf(stopped, 'stopping a'));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('prefixes every child line with its padded name and renders pino lines', async () => {
    const p = await fake('pretty');
    const out = output();
    await launcher([p], options(out, { json: false })).start();
    expect(out.text()).toMatch(/^pretty {3}\| \d\d:\d\d:\d\d INFO {2}listening on \d+ correlationId=boot$/m);
    expect(out.text()).toContain('pretty   | plain line from pretty\n');
  });

  it('refuses to start anything when a port is taken, naming the part and port', async () => {
    const a = await fake('a');
    const b = await fake('b', {}, { dependsOn: ['a'] });
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(b.port, '127.0.0.1', resolve));
    try {
      const out = output();
      const err = await rejection(launcher([a, b], options(out)).start());
      expect(err.code).toBe('PORT_IN_USE');
      expect(err.part).toBe('b');
      expect(err.message).toContain(`port ${b.port} (b) is already in use on 127.0.0.1`);
      expect(out.text()).not.toContain('starting');
    } finally {
      holder.close();
    }
  });

  it('refuses to start anything when a script is missing', async () => {
    const a = await fake('a');
    const b = await fake('b', {}, { command: ['node', 'nope/dist/main.js'] });
    const out = output();
    const err = await rejection(launcher([a, b], options(out)).start());
    expect(err.code).toBe('ENTRY_NOT_FOUND');
    expect(err.message).toBe('b: nope/dist/main.js not found — run npm run build');
    expect(out.text()).not.toContain('starting');
  });

  it('refuses a cycle or an unknown dependency before anything starts', async () => {
    const a = await fake('a', {}, { dependsOn: ['b'] });
    const b = await fake('b', {}, { dependsOn: ['a'] });
    expect(() => new Launcher([a, b], { cwd: CWD })).toThrow(/dependency cycle: a → b → a/);
    expect(() => new Launcher([a], { cwd: CWD })).toThrow(/a depends on "b", which is not declared/);
  });

  it('stops the others and reports the tail of the output when a part dies before it is ready', async () => {
    const a = await fake('a');
    const b = await fake('b', { EXIT_AFTER_MS: '0', EXIT_CODE: '3' }, { dependsOn: ['a'] });
    const out = output();
    const err = await rejection(launcher([a, b], options(out)).start());
    expect(err.code).toBe('PART_EXITED');
    expect(err.part).toBe('b');
    expect(err.message).toMatch(/^b exited before the system was ready \(exit code 3\)\. Its last output:\n/);
    expect(err.message).toContain('b: boom');
    expect(out.text()).toContain('stopping a');
    expect(out.pids().filter(alive)).toEqual([]);
  });

  it('times out a part that never gets ready, and stops it', async () => {
    const slow = await fake('slow', { READY_AFTER_MS: '600000' }, { readyTimeoutMs: 300 });
    const out = output();
    const err = await rejection(launcher([slow], options(out)).start());
    expect(err.code).toBe('READY_TIMEOUT');
    // On a loaded machine the fake may not have written anything yet within 300 ms.
    expect(err.message).toMatch(
      /slow was not ready after [\d.]+ s: .*never answered 200\. (Its last|It wrote)/,
    );
    expect(out.text()).toContain('stopping slow');
    expect(out.pids().filter(alive)).toEqual([]);
  });

  it('stops the others and reports when a part dies after start-up', async () => {
    const a = await fake('a');
    const b = await fake('b', {}, { dependsOn: ['a'] });
    const out = output();
    const l = launcher([a, b], options(out));
    await l.start();
    const [aPid, bPid] = out.pids();
    process.kill(bPid!, 'SIGKILL');
    const err = await l.failed;
    expect(err.code).toBe('PART_EXITED');
    expect(err.part).toBe('b');
    expect(err.message).toMatch(/^b exited unexpectedly \(killed by SIGKILL\)\. Its last output:\n/);
    expect(l.failure).toBe(err);
    expect(out.text()).toContain('stopping a');
    expect(alive(aPid!)).toBe(false);
  });

  it('kills a part that ignores SIGTERM once the stop timeout passes', async () => {
    const stubborn = await fake('stubborn', { IGNORE_SIGTERM: '1' });
    const out = output();
    const l = launcher([stubborn], options(out, { stopTimeoutMs: 300 }));
    await l.start();
    await l.stop();
    expect(out.text()).toMatch(/stubborn did not stop within \d+\.\d s of SIGTERM — sending SIGKILL/);
    expect(out.pids().filter(alive)).toEqual([]);
  });

  it('gives each child the launcher env, its own env, and HELPLINE_<PART>__ overrides', async () => {
    const p = await fake('greeter', { GREETING: 'declared' });
    const out = output();
    const env = { ...process.env, HELPLINE_GREETER__GREETING: 'overridden' };
    await launcher([p], options(out, { env })).start();
    const res = await fetch(`http://127.0.0.1:${p.port}/`);
    expect(await res.text()).toBe('overridden');
  });
});

describe('nodeFlags', () => {
  it("caps the young generation at 2 MB a semispace, or at the part's own size; NODE_OPTIONS wins", () => {
    expect(nodeFlags({})).toEqual(['--max-semi-space-size=2']);
    expect(nodeFlags({}, 16)).toEqual(['--max-semi-space-size=16']);
    expect(nodeFlags({ NODE_OPTIONS: '--max-semi-space-size=8' }, 16)).toEqual([]);
  });
});

describe('runSystem', () => {
  it('prints the banner when ready, and on SIGTERM stops every part and resolves 0', async () => {
    const a = await fake('a', {}, { urls: { api: 'http://localhost:1/a' } });
    const b = await fake('b', {}, { dependsOn: ['a'] });
    const out = output();
    const signals = new EventEmitter();
    const running = runSystem(
      { parts: [a, b], notes: ['demo: user@example.com'] },
      { ...options(out), signals },
    );
    await until(() => out.text().includes('Press Ctrl-C to stop.'));
    expect(out.text()).toContain('demo: user@example.com');
    expect(out.text()).toContain('api  http://localhost:1/a');

    signals.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
    expect(out.text()).toContain('SIGTERM received — stopping every part');
    expect(out.pids()).toHaveLength(2);
    expect(out.pids().filter(alive)).toEqual([]);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('starts only HELPLINE_ONLY parts and their dependencies', async () => {
    const a = await fake('a');
    const b = await fake('b', {}, { dependsOn: ['a'] });
    const c = await fake('c');
    const out = output();
    const signals = new EventEmitter();
    const running = runSystem({ parts: [a, b, c] }, { ...options(out), signals, only: 'b' });
    await until(() => out.text().includes('Press Ctrl-C to stop.'));
    expect(out.text()).toContain('Ready: a, b.');
    expect(out.text()).not.toContain('starting c');
    signals.emit('SIGINT', 'SIGINT');
    expect(await running).toBe(0);
  });

  it('resolves 1 with a clear message when start-up fails or a part dies', async () => {
    const out = output();
    const signals = new EventEmitter();
    expect(await runSystem({ parts: [await fake('a')] }, { ...options(out), signals, only: 'nope' })).toBe(1);
    expect(out.text()).toContain('HELPLINE_ONLY names "nope", not declared (known: a)');

    const dies = await fake('dies', { EXIT_AFTER_MS: '0', EXIT_CODE: '4' });
    expect(await runSystem({ parts: [dies] }, { ...options(out), signals })).toBe(1);
    expect(out.text()).toContain('dies exited before the system was ready (exit code 4)');

    const later = await fake('later');
    const running = runSystem({ parts: [later] }, { ...options(out), signals });
    await until(() => out.text().includes('Press Ctrl-C to stop.'));
    process.kill(out.pids().at(-1)!, 'SIGTERM');
    expect(await running).toBe(1);
    expect(out.text()).toContain('later exited unexpectedly (exit code 0)');
    expect(out.text()).toContain('stopped every part because one failed');
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
