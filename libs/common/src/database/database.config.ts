import { type ConfigPart, type Env, milliseconds, readEnv, wholeNumber } from '@helpline/config';
import { z } from 'zod';

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

const REQUIRED = 'required, a postgres:// URL (npm start sets it to the embedded cluster)';

const postgresUrl = z
  .string({ error: REQUIRED })
  .trim()
  .refine((value) => URL.canParse(value), 'not a valid URL')
  .refine(
    (value) => !URL.canParse(value) || ['postgres:', 'postgresql:'].includes(new URL(value).protocol),
    'expected a postgres:// URL',
  );

/**
 * DATABASE_URL: the service's own PostgreSQL database. Required — `npm start` passes the embedded
 * cluster's URL for each service, and production passes the RDS one. DATABASE_POOL_MAX,
 * DATABASE_STATEMENT_TIMEOUT_MS and DATABASE_CONNECT_TIMEOUT_MS bound what a slow or frozen
 * database can cost a request.
 */
export function readDatabaseConfig(env: Env): ConfigPart<DatabaseConfig> {
  return readEnv(
    z
      .object({
        DATABASE_URL: postgresUrl,
        DATABASE_POOL_MAX: wholeNumber({ min: 1, max: 1000 }).default(DATABASE_DEFAULTS.poolMax),
        DATABASE_STATEMENT_TIMEOUT_MS: milliseconds({ min: 100, max: 600_000 }).default(
          DATABASE_DEFAULTS.statementTimeoutMs,
        ),
        DATABASE_CONNECT_TIMEOUT_MS: milliseconds({ min: 100, max: 600_000 }).default(
          DATABASE_DEFAULTS.connectTimeoutMs,
        ),
      })
      .transform((v): DatabaseConfig => ({
        url: v.DATABASE_URL,
        poolMax: v.DATABASE_POOL_MAX,
        statementTimeoutMs: v.DATABASE_STATEMENT_TIMEOUT_MS,
        connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT_MS,
      })),
    env,
    { conceal: ['DATABASE_URL'] },
  );
}
