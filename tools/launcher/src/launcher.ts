import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { LineSplitter, linePrefix, paint, prefixLines, renderLine } from './log-format.js';
import { LauncherError, type Part } from './part.js';
import { assertEntriesExist, childEnv, startOrder, validateParts } from './plan.js';
import { isPortFree, READY_POLL_INTERVAL_MS, waitForReadyMessage, waitUntilReady } from './readiness.js';

export const DEFAULT_READY_TIMEOUT_MS = 60_000;
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
const TAIL_LINES = 20;
/** After a child exits, how long its pipes may take to deliver the last output. */
const OUTPUT_GRACE_MS = 100;
const KILL_WAIT_MS = 2_000;
export const LAUNCHER_NAME = 'launcher';

export interface LauncherOptions {
  /** Where commands run and relative paths resolve from: the repository root. */
  cwd: string;
  /** The launcher's own environment, inherited by children; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Launcher variables children must not inherit. */
  notInherited?: readonly string[];
  /** Where output goes; default process.stdout. */
  write?: (text: string) => void;
  color?: boolean;
  /** Pass children's lines through raw (`LOG_FORMAT=json`). */
  json?: boolean;
  readyIntervalMs?: number;
  /** Default for parts that declare no `readyTimeoutMs`. */
  readyTimeoutMs?: number;
  /** How long a part may take to stop after SIGTERM before it gets SIGKILL. */
  stopTimeoutMs?: number;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: string;
}

interface Running {
  part: Part;
  child: ChildProcess;
  exited: Promise<ExitInfo>;
  exit?: ExitInfo;
  tail: string[];
}

/**
 * Starts parts in dependency order, each once its dependencies answer their readiness URL, and
 * stops them in reverse order. Knows nothing of any particular system.
 */
export class Launcher {
  /** Set when a part died on its own; `failed` resolves with it once the others are stopped. */
  failure?: LauncherError;
  readonly failed: Promise<LauncherError>;

  private readonly parts: Part[];
  private readonly running = new Map<string, Running>();
  private readonly startAbort = new AbortController();
  private readonly width: number;
  private started = false;
  private stopping?: Promise<void>;
  private resolveFailed!: (err: LauncherError) => void;
  private readonly killOnExit = (): void => {
    for (const r of this.running.values()) if (!r.exit) signalGroup(r.child, 'SIGKILL');
  };

  constructor(
    parts: readonly Part[],
    private readonly options: LauncherOptions,
  ) {
    validateParts(parts);
    this.parts = startOrder(parts);
    this.width = Math.max(LAUNCHER_NAME.length, ...parts.map((p) => p.name.length));
    this.failed = new Promise((resolve) => (this.resolveFailed = resolve));
  }

  /**
   * Resolves once every part is ready. If anything goes wrong first, every started part is
   * stopped before it rejects with a LauncherError (code `STOPPED` when `stop()` was called).
   */
  async start(): Promise<void> {
    assertEntriesExist(this.parts, this.options.cwd);
    await this.assertPortsFree();
    const ready = new Map<string, Promise<void>>();
    for (const part of this.parts) {
      ready.set(
        part.name,
        (async () => {
          await Promise.all(part.dependsOn.map((dep) => ready.get(dep)));
          await this.startPart(part);
        })(),
      );
    }
    try {
      await Promise.all(ready.values());
      this.started = true;
    } catch (err) {
      const reason: unknown = this.startAbort.signal.reason ?? err;
      this.startAbort.abort(reason);
      await this.stop();
      throw reason;
    }
  }

  /** Stops every running part, dependents before their dependencies. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /** The parts, in start order. */
  get startOrder(): readonly Part[] {
    return this.parts;
  }

  /** The launcher's own message, prefixed like a part's output. */
  say(message: string, level: 'info' | 'error' = 'info'): void {
    const color = this.options.color ?? false;
    const text = level === 'error' ? paint(message, '31', color) : message;
    this.write(prefixLines(text, `${paint(LAUNCHER_NAME.padEnd(this.width), '1', color)} | `) + '\n');
  }

  private write(text: string): void {
    if (this.options.write) this.options.write(text);
    else process.stdout.write(text);
  }

  private async assertPortsFree(): Promise<void> {
    const taken: Part[] = [];
    await Promise.all(
      this.parts.map(async (part) => {
        if (!(await isPortFree(part.port))) taken.push(part);
      }),
    );
    if (taken.length === 0) return;
    const lines = taken.map(
      (p) => `port ${p.port} (${p.name}) is already in use on 127.0.0.1 — is the system already running?`,
    );
    throw new LauncherError('PORT_IN_USE', `${lines.join('\n')}\nNothing was started.`, taken[0]?.name);
  }

  private async startPart(part: Part): Promise<void> {
    this.startAbort.signal.throwIfAborted();
    const [command = '', ...args] = part.command;
    this.say(`starting ${part.name} (port ${part.port}): ${part.command.join(' ')}`);
    const startedAt = Date.now();
    const child = spawn(
      command === 'node' ? process.execPath : command,
      command === 'node' ? [...nodeFlags(this.options.env ?? process.env, part.semiSpaceMb), ...args] : args,
      {
        cwd: this.options.cwd,
        env: childEnv(part, this.options.env ?? process.env, this.options.notInherited),
        // An IPC channel for parts that say "ready" with process.send; it also tells them when the
        // launcher is gone.
        stdio: part.readyOnMessage ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
        // Its own process group: a Ctrl-C in the terminal reaches only the launcher, which then
        // stops the parts in order; signals to the group also reach anything the part spawned.
        detached: true,
      },
    );
    const running: Running = { part, child, exited: exitOf(child), tail: [] };
    this.running.set(part.name, running);
    if (this.running.size === 1) process.on('exit', this.killOnExit);
    this.pipeOutput(running);
    const exitedEarly = new AbortController();
    void running.exited.then((exit) => {
      running.exit = exit;
      exitedEarly.abort();
      this.onExit(running);
    });

    let ready: boolean;
    try {
      const timeoutMs = part.readyTimeoutMs ?? this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
      const signal = AbortSignal.any([this.startAbort.signal, exitedEarly.signal]);
      ready = part.readyUrl
        ? await waitUntilReady(part.readyUrl, {
            timeoutMs,
            intervalMs: this.options.readyIntervalMs ?? READY_POLL_INTERVAL_MS,
            signal,
          })
        : await waitForReadyMessage(child, { timeoutMs, signal });
    } catch (err) {
      if (this.startAbort.signal.aborted) throw this.startAbort.signal.reason;
      if (running.exit) throw this.exitError(running, 'before it was ready');
      throw err;
    }
    if (!ready) {
      const seconds = (Date.now() - startedAt) / 1000;
      throw new LauncherError(
        'READY_TIMEOUT',
        `${part.name} was not ready after ${seconds.toFixed(1)} s: ` +
          (part.readyUrl ? `${part.readyUrl} never answered 200.` : 'it never said it was ready.') +
          this.tailText(running),
        part.name,
      );
    }
    this.say(`${part.name} is ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  }

  private pipeOutput(running: Running): void {
    const index = this.parts.indexOf(running.part);
    const prefix = linePrefix(running.part.name, this.width, index, this.options.color ?? false);
    const render = { color: this.options.color ?? false, json: this.options.json ?? false };
    for (const stream of [running.child.stdout, running.child.stderr]) {
      if (!stream) continue;
      const splitter = new LineSplitter();
      const emit = (lines: string[]): void => {
        for (const line of lines) {
          running.tail.push(line);
          if (running.tail.length > TAIL_LINES) running.tail.shift();
          this.write(prefixLines(renderLine(line, render), prefix) + '\n');
        }
      };
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => emit(splitter.push(chunk)));
      stream.on('end', () => emit(splitter.end()));
    }
  }

  /** A part that exits while the launcher is not stopping is a failure of the whole system. */
  private onExit(running: Running): void {
    if (this.stopping) return;
    const err = this.exitError(running, this.started ? 'unexpectedly' : 'before the system was ready');
    if (!this.started) {
      // start() stops the others and rejects with this.
      this.startAbort.abort(err);
      return;
    }
    this.failure = err;
    this.say(err.message, 'error');
    void this.stop().then(() => this.resolveFailed(err));
  }

  private exitError(running: Running, when: string): LauncherError {
    return new LauncherError(
      'PART_EXITED',
      `${running.part.name} exited ${when} (${describeExit(running.exit)}).${this.tailText(running)}`,
      running.part.name,
    );
  }

  private tailText(running: Running): string {
    if (running.tail.length === 0) return ' It wrote nothing.';
    const render = { color: false, json: this.options.json ?? false };
    const lines = running.tail.map((line) => `  ${renderLine(line, render)}`);
    return ` Its last output:\n${lines.join('\n')}`;
  }

  private async stopAll(): Promise<void> {
    this.startAbort.abort(new LauncherError('STOPPED', 'stopped before every part was ready'));
    const deadline = Date.now() + (this.options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
    const stopped = new Map<string, Promise<void>>();
    // Reverse start order: a part's dependents are always visited before it.
    for (const part of [...this.parts].reverse()) {
      const dependents = this.parts.filter((p) => p.dependsOn.includes(part.name));
      stopped.set(
        part.name,
        (async () => {
          await Promise.all(dependents.map((d) => stopped.get(d.name)));
          await this.stopPart(part.name, deadline);
        })(),
      );
    }
    await Promise.all(stopped.values());
    process.off('exit', this.killOnExit);
  }

  private async stopPart(name: string, deadline: number): Promise<void> {
    const running = this.running.get(name);
    if (!running || running.exit) return;
    this.say(`stopping ${name}`);
    const signalledAt = Date.now();
    signalGroup(running.child, 'SIGTERM');
    const timer = new AbortController();
    const exited = await Promise.race([
      running.exited.then(() => true),
      delay(Math.max(0, deadline - Date.now()), false, { signal: timer.signal }).catch(() => true),
    ]);
    timer.abort();
    if (exited) return;
    const waited = ((Date.now() - signalledAt) / 1000).toFixed(1);
    this.say(`${name} did not stop within ${waited} s of SIGTERM — sending SIGKILL`, 'error');
    signalGroup(running.child, 'SIGKILL');
    await Promise.race([running.exited, delay(KILL_WAIT_MS, undefined, { ref: false })]);
  }
}

/** Resolves when the child has exited and its output is read (or a moment after exit, if a grandchild holds the pipes). */
function exitOf(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((resolve) => {
    let info: ExitInfo | undefined;
    const finish = (): void => {
      if (info) resolve(info);
    };
    child.once('error', (err) => {
      info ??= { code: null, signal: null, error: err.message };
      finish();
    });
    child.once('exit', (code, signal) => {
      info ??= { code, signal };
      setTimeout(finish, OUTPUT_GRACE_MS).unref();
    });
    child.once('close', finish);
  });
}

function describeExit(exit: ExitInfo | undefined): string {
  if (!exit) return 'still running';
  if (exit.error) return `could not run: ${exit.error}`;
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.code}`;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * V8 flags for the Node parts on a laptop: a young generation of at most 2 MB a semispace (V8
 * grows it to 16 MB after start-up and keeps it), which takes about 30 MB off each service at
 * rest for a little more garbage collection under load — or the part's own `semiSpaceMb`. A
 * NODE_OPTIONS that sets it wins.
 */
export function nodeFlags(env: Record<string, string | undefined>, semiSpaceMb = 2): string[] {
  return env.NODE_OPTIONS?.includes('semi-space') ? [] : [`--max-semi-space-size=${semiSpaceMb}`];
}
