/**
 * The `postgres` part of `npm start`: one PostgreSQL cluster for every service, each with its own
 * database and login role. Tells the launcher it is ready over the IPC channel once every
 * database exists; stops the server with a fast shutdown on SIGTERM/SIGINT or when the launcher
 * goes away; exits 1 when the server dies, so the launcher stops the system.
 *
 * POSTGRES_DATA_DIR (.data/postgres), POSTGRES_PORT (55432), POSTGRES_PASSWORD (the superuser's),
 * POSTGRES_DATABASES (database:role:password,...), LOG_LEVEL (info | warn | error).
 */
import { describeExit, LocalPostgres } from './cluster.js';
import type { LogLevel } from './log-lines.js';
import {
  closeMaintenanceDatabases,
  ensureServiceDatabase,
  parseServiceDatabases,
} from './service-databases.js';

const LEVELS: Record<LogLevel, number> = { info: 30, warn: 40, error: 50 };
const env = process.env;
const minLevel = LEVELS[(env.LOG_LEVEL as LogLevel) ?? 'info'] ?? (env.LOG_LEVEL === 'silent' ? 100 : 30);

// A reader that went away (the launcher died) must not turn logging into a crash.
process.stdout.on('error', () => undefined);

function log(level: LogLevel, msg: string): void {
  if (LEVELS[level] < minLevel) return;
  process.stdout.write(`${JSON.stringify({ level: LEVELS[level], time: Date.now(), msg })}\n`);
}

function fail(message: string): never {
  process.stderr.write(`postgres failed to start: ${message}\n`);
  process.exit(1);
}

let databases;
try {
  databases = parseServiceDatabases(env.POSTGRES_DATABASES ?? '');
} catch (error) {
  fail((error as Error).message);
}
const port = Number(env.POSTGRES_PORT ?? 55432);
if (!Number.isInteger(port) || port < 1 || port > 65535)
  fail(`POSTGRES_PORT=${env.POSTGRES_PORT} is not a port`);

let server: LocalPostgres;
try {
  server = await LocalPostgres.start({
    dataDir: env.POSTGRES_DATA_DIR || '.data/postgres',
    port,
    superuserPassword: env.POSTGRES_PASSWORD || 'postgres',
    log,
  });
  await server.withSuperuser(async (admin) => {
    for (const spec of databases) await ensureServiceDatabase(admin, spec);
    await closeMaintenanceDatabases(admin);
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

let stopping = false;
const stop = (why: string): void => {
  if (stopping) return;
  stopping = true;
  log('info', `${why}: fast shutdown`);
  void server.stop().then(() => process.exit(0));
};
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
// The launcher died without stopping us: do not leave a server behind.
process.on('disconnect', () => stop('the launcher went away'));

void server.exited.then((exit) => {
  if (stopping) return;
  log('error', `PostgreSQL exited unexpectedly (${describeExit(exit)})`);
  process.exit(1);
});

const names = databases.map((d) => `${d.database} (${d.role})`).join(', ');
log('info', `ready on 127.0.0.1:${port}, pid ${server.pid}: ${names || 'no service databases'}`);
process.send?.('ready');
