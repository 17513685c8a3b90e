import { resolve } from 'node:path';
import type { ConfigPart, Env } from '../config/config.js';

const IN_MEMORY = 'memory://';

export interface DatabaseConfig {
  url?: string;
  dataDir?: string;
}

/**
 * DATABASE_URL selects a PostgreSQL server; without it the service keeps an embedded PGlite under
 * DATA_DIR (default `.data/<service>`, relative to the working directory; `memory://` keeps it in
 * memory, as PGlite spells it).
 */
export function readDatabaseConfig(env: Env, serviceName: string): ConfigPart<DatabaseConfig> {
  const url = env.DATABASE_URL?.trim();
  if (url) {
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
  const dataDir = env.DATA_DIR?.trim() || `.data/${serviceName}`;
  return { value: { dataDir: dataDir === IN_MEMORY ? undefined : resolve(dataDir) }, problems: [] };
}
