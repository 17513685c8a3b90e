export { postgresBinaries, type PostgresBinaries } from './binaries.js';
export {
  describeExit,
  type ExitInfo,
  LOCAL_POSTGRES_DEFAULTS,
  LocalPostgres,
  type LocalPostgresOptions,
  THROWAWAY_SETTINGS,
} from './cluster.js';
export type { LogLevel } from './log-lines.js';
export {
  closeMaintenanceDatabases,
  ensureDatabaseExists,
  ensureServiceDatabase,
  parseServiceDatabases,
  type ServiceDatabase,
} from './service-databases.js';
