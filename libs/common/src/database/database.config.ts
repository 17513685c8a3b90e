import type { ConfigPart, Env } from '../config/config.js';

export interface DatabaseConfig {
  url: string;
}

/**
 * DATABASE_URL: the service's own PostgreSQL database. Required — `npm start` passes the embedded
 * cluster's URL for each service, and production passes the RDS one.
 */
export function readDatabaseConfig(env: Env): ConfigPart<DatabaseConfig> {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    return {
      problems: ['DATABASE_URL: required, a postgres:// URL (npm start sets it to the embedded cluster)'],
    };
  }
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      return {
        problems: [`DATABASE_URL: expected a postgres:// URL, got the scheme "${parsed.protocol}"`],
      };
    }
  } catch {
    return { problems: ['DATABASE_URL: not a valid URL'] };
  }
  return { value: { url }, problems: [] };
}
