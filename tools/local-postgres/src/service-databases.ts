import pg from 'pg';

/** One service's share of the cluster: a database and the only login role that may use it. */
export interface ServiceDatabase {
  database: string;
  role: string;
  password: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const PASSWORD = /^[A-Za-z0-9._~-]{1,100}$/;

/**
 * `users:user_service:secret,orders:order_service:secret` (the launcher's POSTGRES_DATABASES) →
 * the list, or an error naming every bad entry.
 */
export function parseServiceDatabases(text: string): ServiceDatabase[] {
  const problems: string[] = [];
  const out: ServiceDatabase[] = [];
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [database = '', role = '', password = '', ...rest] = entry.split(':');
    if (rest.length > 0 || !IDENTIFIER.test(database) || !IDENTIFIER.test(role) || !PASSWORD.test(password)) {
      problems.push(
        `"${entry.split(':').slice(0, 2).join(':')}:…" is not database:role:password ` +
          '(lower-case identifiers; a password of letters, digits and ._~-)',
      );
      continue;
    }
    out.push({ database, role, password });
  }
  if (problems.length > 0) throw new Error(`POSTGRES_DATABASES: ${problems.join('; ')}`);
  return out;
}

/**
 * Creates (or brings back into line) the service's login role and its database, owned by that
 * role, and takes CONNECT away from everyone else — the separation RDS gives each service its own
 * instance for. The role is no superuser and cannot create roles or databases. Idempotent.
 */
export async function ensureServiceDatabase(admin: pg.Client, spec: ServiceDatabase): Promise<void> {
  if (!IDENTIFIER.test(spec.database) || !IDENTIFIER.test(spec.role)) {
    throw new Error(`not a plain identifier: ${spec.database} / ${spec.role}`);
  }
  const role = admin.escapeIdentifier(spec.role);
  const database = admin.escapeIdentifier(spec.database);
  const password = admin.escapeLiteral(spec.password);
  const roleExists = await admin.query('select 1 from pg_roles where rolname = $1', [spec.role]);
  const attributes = 'login nosuperuser nocreatedb nocreaterole noreplication nobypassrls';
  await admin.query(
    roleExists.rowCount
      ? `alter role ${role} ${attributes} password ${password}`
      : `create role ${role} ${attributes} password ${password}`,
  );
  const dbExists = await admin.query('select 1 from pg_database where datname = $1', [spec.database]);
  if (!dbExists.rowCount) {
    await admin.query(`create database ${database} owner ${role}`);
  } else {
    await admin.query(`alter database ${database} owner to ${role}`);
  }
  await admin.query(`revoke all on database ${database} from public`);
}

/** Other roles may not even connect to the maintenance databases: each service sees only its own. */
export async function closeMaintenanceDatabases(admin: pg.Client): Promise<void> {
  await admin.query('revoke connect on database postgres from public');
  await admin.query('revoke connect on database template1 from public');
}

/**
 * Creates the database a URL names when the server lacks it (connecting to the server's
 * `postgres` database with the same credentials). True when it was created.
 */
export async function ensureDatabaseExists(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('the URL names no database');
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount) return false;
    try {
      await client.query(`create database ${client.escapeIdentifier(name)}`);
    } catch (error) {
      // Another process created it between our check and ours: duplicate_database, or the
      // catalog's unique index when both got past the check at once.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw error;
    }
    return true;
  } finally {
    await client.end();
  }
}
