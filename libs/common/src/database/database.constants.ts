/** Injection token of the `Database` (drizzle query builder). */
export const DATABASE = 'helpline:database';
/** Injection token of the `DatabaseHandle` (kind, ping, close). */
export const DATABASE_HANDLE = 'helpline:database-handle';
