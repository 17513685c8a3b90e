import { ServiceUnavailableError } from '../errors/app-error.js';

/** Seconds a client is told to wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// SQLSTATEs that say the server cannot serve now, not that the query was wrong: connection
// exceptions (class 08), shutdown and start-up (57P01-57P03), too many connections, and a
// statement cancelled by statement_timeout (57014) — a database too slow to answer in time.
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300|57014)$/;
// Failures below SQL: the socket, or node-postgres giving up on one.
const UNAVAILABLE_SYSCALL_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'is not queryable',
  'Connection ended unexpectedly',
];

/** Each error of a cause chain, outermost first (drizzle wraps the driver's error in its own). */
export function* causeChain(error: unknown): Generator<unknown> {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/** The SQLSTATE of the first PostgreSQL error in the chain. */
export function sqlState(error: unknown): string | undefined {
  for (const e of causeChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** PostgreSQL's unique_violation, however deep drizzle wrapped the driver's error. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === '23505';
}

/** True when the error says the database could not be reached or did not answer in time. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of causeChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_SYSCALL_CODES.has(code))
    ) {
      return true;
    }
    const message = e instanceof Error ? e.message : '';
    if (UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
  }
  return false;
}

/** A database outage as the client sees it: 503 DATABASE_UNAVAILABLE with Retry-After. */
export function databaseUnavailable(cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'DATABASE_UNAVAILABLE',
    'The database is unavailable; try again shortly',
    { cause, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
  );
}
