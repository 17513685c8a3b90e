import { causeChain } from '../database/database-errors.js';

/** What a log line may say about an error. */
export interface LoggedError {
  type: string;
  message?: string;
  code?: string;
  /** The SQL text of a failed query: placeholders only, never its parameters. */
  query?: string;
  constraint?: string;
  table?: string;
  stack?: string;
  cause?: LoggedError;
}

const MAX_QUERY_CHARS = 300;

/**
 * pino's `err` serializer. A failed query must not carry personal data into the logs: drizzle's
 * error puts the query's parameters (emails, names) in its message and its `params`, and a
 * PostgreSQL error can quote row values in its message and DETAIL ("Key (email)=(a@b.c) already
 * exists", 'invalid input syntax for type uuid: "…"'). For those, only the SQLSTATE, the names of
 * the constraint and table, and the SQL text are kept. Other errors keep message and stack.
 */
export function serializeError(error: unknown): LoggedError | unknown {
  if (!(error instanceof Error)) return error;
  const chain = [...causeChain(error)].filter((e): e is Error => e instanceof Error);
  let out: LoggedError | undefined;
  for (const e of chain.reverse()) out = { ...describe(e), ...(out ? { cause: out } : {}) };
  return out;
}

function describe(error: Error): LoggedError {
  const e = error as Error & Record<string, unknown>;
  const type = e.constructor?.name ?? 'Error';
  if (typeof e.query === 'string' && 'params' in e) {
    // drizzle's DrizzleQueryError: "Failed query: <sql>\nparams: <values>".
    return { type, query: e.query.slice(0, MAX_QUERY_CHARS) };
  }
  if (isPostgresError(e)) {
    return {
      type,
      code: e.code as string,
      ...(typeof e.constraint === 'string' ? { constraint: e.constraint } : {}),
      ...(typeof e.table === 'string' ? { table: e.table } : {}),
    };
  }
  return {
    type,
    message: e.message,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(e.stack ? { stack: e.stack } : {}),
  };
}

/** node-postgres's DatabaseError: a server-reported error with a SQLSTATE and a severity. */
function isPostgresError(e: Record<string, unknown>): boolean {
  return typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
}
