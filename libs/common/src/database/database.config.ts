import { z } from 'zod';
import { type ConfigPart, type Env, readWithSchema } from '../config/config.js';

export interface DatabaseConfig {
  url: string;
  /** Connections in the pool. */
  poolMax: number;
  /** No query waits longer: the client gives up then, and the server cancels the statement just before. */
  statementTimeoutMs: number;
  /** Opening a connection (TCP and PostgreSQL's start-up) may take this long. */
  connectTimeoutMs: number;
}

export const DATABASE_DEFAULTS = { poolMax: 10, statementTimeoutMs: 5_000, connectTimeoutMs: 3_000 } as const;

const postgresUrl = z
  .string({ error: 'required, a postgres:// URL (npm start sets it to the embedded cluster)' })
  .trim()
  .min(1, 'required, a postgres:// URL (npm start sets it to the embedded cluster)')
  .refine((value) => URL.canParse(value), 'not a valid URL')
  .refine(
    (value) => !URL.canParse(value) || ['postgres:', 'postgresql:'].includes(new URL(value).protocol),
    'expected a postgres:// URL',
  );

const milliseconds = (min: number, fallback: number) =>
  z.coerce.number().int().min(min).max(600_000).default(fallback);

/**
 * DATABASE_URL: the service's own PostgreSQL database. Required — `npm start` passes the embedded
 * cluster's URL for each service, and production passes the RDS one. DATABASE_POOL_MAX,
 * DATABASE_STATEMENT_TIMEOUT_MS and DATABASE_CONNECT_TIMEOUT_MS bound what a slow or frozen
 * database can cost a request.
 */
export function readDatabaseConfig(env: Env): ConfigPart<DatabaseConfig> {
  const part = readWithSchema(
    z.object({
      DATABASE_URL: postgresUrl,
      DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(DATABASE_DEFAULTS.poolMax),
      DATABASE_STATEMENT_TIMEOUT_MS: milliseconds(100, DATABASE_DEFAULTS.statementTimeoutMs),
      DATABASE_CONNECT_TIMEOUT_MS: milliseconds(100, DATABASE_DEFAULTS.connectTimeoutMs),
    }),
    env,
    { conceal: ['DATABASE_URL'] },
  );
  if (!part.value) return { problems: part.problems };
  const v = part.value;
  return {
    problems: [],
    value: {
      url: v.DATABASE_URL,
      poolMax: v.DATABASE_POOL_MAX,
      statementTimeoutMs: v.DATABASE_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT_MS,
    },
  };
}
