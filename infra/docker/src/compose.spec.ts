/**
 * compose.yaml against the launcher's declaration of the system (tools/launcher/src/system.ts):
 * the two ways to run helpline must have the same parts, ports, variable names, databases and
 * start-up order. Everything is derived from the declaration as it stands when the test runs, so
 * a part the launcher gains (the API gateway) is compared as soon as it is declared; until then
 * compose may run it ahead of the launcher.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Part } from '../../../tools/launcher/src/part.js';
import { buildSystem } from '../../../tools/launcher/src/system.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const INIT_SCRIPT = join(ROOT, 'infra/docker/postgres-init/10-service-databases.sh');

/** Services compose runs that the launcher may not (yet) declare. */
const COMPOSE_AHEAD = ['redis', 'api-gateway'];
/** Parts the launcher runs that compose does not (yet): the web console (static files; no image yet). */
const LAUNCHER_ONLY = ['web'];
/**
 * Variables compose sets that the launcher does not: what a container needs to be reachable, and
 * the demo users that identity's production image creates only when asked.
 */
const CONTAINER_ONLY_VARIABLES = ['HOST', 'IDENTITY_ISSUER_BASE_URL', 'IDENTITY_DEMO_USERS'];
/** The launcher's variables that compose's PostgreSQL image names differently (its own data dir and port). */
const DATABASE_PART = 'postgres';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

/** compose.yaml as Compose reads it with no variables set: `${NAME:-default}` → default. */
function loadCompose(): Record<string, ComposeService> {
  const text = readFileSync(join(ROOT, 'compose.yaml'), 'utf8').replace(
    /\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g,
    (_, __: string, fallback?: string) => fallback ?? '',
  );
  return (parse(text, { merge: true }) as { services: Record<string, ComposeService> }).services;
}

const compose = loadCompose();
const declared = buildSystem({}, ROOT);
const system = { ...declared, parts: declared.parts.filter((part) => !LAUNCHER_ONLY.includes(part.name)) };
const parts = new Map(system.parts.map((part) => [part.name, part]));
const declaredServices = [...parts.keys()];
const aheadOfLauncher = COMPOSE_AHEAD.filter((name) => !parts.has(name));

const env = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(compose[name]?.environment ?? {}).map(([k, v]) => [k, String(v)]));

/** `127.0.0.1:3000:3000` → {host: 3000, container: 3000}. */
function published(service: ComposeService): Array<{ host: number; container: number }> {
  return (service.ports ?? []).map((spec) => {
    const fields = spec.split(':');
    return { host: Number(fields.at(-2)), container: Number(fields.at(-1)) };
  });
}

/** `database:role:password,...` → `database:role` entries. */
const databaseRoles = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((entry) => entry.trim().split(':').slice(0, 2).join(':'))
    .filter(Boolean)
    .sort();

const databaseOf = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.pathname.slice(1)}:${decodeURIComponent(parsed.username)}`;
};

/** The compose service a launcher URL's port belongs to. */
function partOnPort(port: number): Part | undefined {
  return system.parts.find((part) => part.port === port);
}

describe('compose.yaml and the launcher declare the same system', () => {
  it('has every part the launcher declares, and beyond them only the parts compose runs ahead of it', () => {
    expect(Object.keys(compose).sort()).toEqual([...declaredServices, ...aheadOfLauncher].sort());
  });

  it('publishes each part on the port the launcher gives it, and runs each app on that port inside', () => {
    for (const part of system.parts) {
      const ports = published(compose[part.name]!);
      expect(
        ports.map((p) => p.host),
        part.name,
      ).toEqual([part.port]);
      if (part.name !== DATABASE_PART) {
        expect(ports[0]!.container, part.name).toBe(part.port);
        expect(env(part.name).PORT, part.name).toBe(String(part.port));
      }
    }
  });

  it('sets every variable the launcher sets, and no others but what a container needs', () => {
    // A variable that points at a part compose runs ahead of the launcher (REDIS_URL) is compose's own.
    const pointsAhead = (value: string) =>
      /^[a-z]+:\/\//.test(value) && aheadOfLauncher.includes(new URL(value).hostname);
    for (const part of system.parts.filter((p) => p.name !== DATABASE_PART)) {
      const ours = env(part.name);
      const names = Object.keys(ours).filter(
        (name) => !CONTAINER_ONLY_VARIABLES.includes(name) && !pointsAhead(ours[name]!),
      );
      expect(names.sort(), part.name).toEqual(Object.keys(part.env).sort());
    }
  });

  it('gives each variable the same value, with compose service names for localhost', () => {
    for (const part of system.parts.filter((p) => p.name !== DATABASE_PART)) {
      const ours = env(part.name);
      for (const [name, local] of Object.entries(part.env)) {
        const value = ours[name]!;
        const where = `${part.name} ${name}`;
        if (name === 'DATABASE_URL') {
          expect(databaseOf(value), where).toBe(databaseOf(local));
          expect(new URL(value).hostname, where).toBe(DATABASE_PART);
        } else if (/^https?:\/\/localhost:\d+/.test(local)) {
          const url = new URL(value);
          const target = partOnPort(Number(new URL(local).port));
          // Clients reach identity's issuer on the published port; containers use service names.
          expect([target?.name, 'localhost'], where).toContain(url.hostname);
          expect(url.port, where).toBe(new URL(local).port);
          expect(url.pathname, where).toBe(new URL(local).pathname);
        } else if (!local.includes('/')) {
          // Paths (data directories) differ by design; every other value is the same.
          expect(value, where).toBe(local);
        }
      }
    }
  });

  it('creates the database and role of every service that has one, with the password its URL uses', () => {
    const postgres = parts.get(DATABASE_PART)!;
    const composeDatabases = env(DATABASE_PART).POSTGRES_DATABASES;
    const ahead = aheadOfLauncher.flatMap((name) =>
      env(name).DATABASE_URL ? [databaseOf(env(name).DATABASE_URL!)] : [],
    );
    expect(databaseRoles(composeDatabases)).toEqual(
      [...databaseRoles(postgres.env.POSTGRES_DATABASES), ...ahead].sort(),
    );
    const passwords = new Map(
      composeDatabases!.split(',').map((entry) => {
        const [database, role, password] = entry.trim().split(':');
        return [`${database}:${role}`, password];
      }),
    );
    for (const name of Object.keys(compose)) {
      const url = env(name).DATABASE_URL;
      if (url) expect(decodeURIComponent(new URL(url).password), name).toBe(passwords.get(databaseOf(url)));
    }
    expect(env(DATABASE_PART).POSTGRES_PASSWORD).toBe(postgres.env.POSTGRES_PASSWORD);
  });

  it('starts each part once what it depends on is healthy, in the launcher order', () => {
    for (const part of system.parts) {
      const dependsOn = compose[part.name]!.depends_on ?? {};
      const extra = Object.keys(dependsOn).filter((name) => !part.dependsOn.includes(name));
      expect(
        Object.keys(dependsOn)
          .filter((name) => part.dependsOn.includes(name))
          .sort(),
        part.name,
      ).toEqual([...part.dependsOn].sort());
      expect(
        extra.every((name) => aheadOfLauncher.includes(name)),
        `${part.name}: ${extra.join()}`,
      ).toBe(true);
    }
    for (const [name, service] of Object.entries(compose)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
        expect(compose[dependency]?.healthcheck, `${dependency} has a health check`).toBeDefined();
      }
    }
  });

  it('builds each app from its own Dockerfile, which runs what the launcher runs', () => {
    for (const [name, service] of Object.entries(compose)) {
      if (!service.build) continue;
      expect(service.build.dockerfile).toBe(`apps/${name}/Dockerfile`);
      const dockerfile = readFileSync(join(ROOT, service.build.dockerfile), 'utf8');
      const main = parts.get(name)?.command.at(-1) ?? `apps/${name}/dist/main.js`;
      expect(dockerfile, name).toContain(`CMD ["${main}"]`);
      expect(dockerfile, name).toMatch(new RegExp(`^EXPOSE ${published(service)[0]!.container}$`, 'm'));
      expect(dockerfile, name).toMatch(/^USER node$/m);
      expect(dockerfile, name).toMatch(/^HEALTHCHECK .*healthcheck\.mjs/m);
      expect(dockerfile, name).toMatch(/^ENV NODE_ENV=production$/m);
    }
  });
});

/** `docker compose` (v2) or `docker-compose` (v1), when installed; no engine is needed for `config`. */
function composeCommand(): string[] | undefined {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(command[0]!, [...command.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return command;
  }
  return undefined;
}

describe('compose.yaml is valid Compose', () => {
  const command = composeCommand();
  it.skipIf(!command)('passes `docker compose config`', () => {
    const result = spawnSync(command![0]!, [...command!.slice(1), '-f', 'compose.yaml', 'config', '-q'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe("the PostgreSQL init script does what the embedded cluster's set-up does", () => {
  const psql = spawnSync('psql', ['--version']).status === 0;
  const server = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://localhost/postgres');
  const suffix = `${process.pid}_${Date.now()}`;
  const a = { database: `compose_a_${suffix}`, role: `compose_a_role_${suffix}`, password: 'a-pw.1' };
  const b = { database: `compose_b_${suffix}`, role: `compose_b_role_${suffix}`, password: 'b-pw.2' };
  const admin = (database = 'postgres') => {
    const url = new URL(server);
    url.pathname = `/${database}`;
    return url.toString();
  };
  const as = async (who: typeof a, database: string, sql: string) => {
    const url = new URL(server);
    url.username = who.role;
    url.password = who.password;
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const run = (databases: string) =>
    spawnSync('sh', [INIT_SCRIPT], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        PGHOST: server.hostname,
        PGPORT: server.port || '5432',
        PGPASSWORD: decodeURIComponent(server.password),
        POSTGRES_USER: decodeURIComponent(server.username) || 'postgres',
        POSTGRES_DATABASES: databases,
        POSTGRES_INIT_KEEP_MAINTENANCE: '1',
      },
    });

  afterAll(async () => {
    if (!psql || !existsSync(INIT_SCRIPT)) return;
    const client = new pg.Client({ connectionString: admin() });
    await client.connect();
    for (const spec of [a, b]) {
      await client.query(`drop database if exists ${spec.database}`);
      await client.query(`drop role if exists ${spec.role}`);
    }
    await client.end();
  });

  it.skipIf(!psql)(
    'gives each service a database only its own role can open, and is idempotent',
    async () => {
      const entries = [a, b].map((s) => `${s.database}:${s.role}:${s.password}`).join(', ');
      const first = run(entries);
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(run(entries).status).toBe(0);

      await as(a, a.database, 'create table t (x int); insert into t values (1)');
      expect(await as(a, a.database, 'select x from t')).toEqual([{ x: 1 }]);
      await expect(as(b, a.database, 'select 1')).rejects.toMatchObject({ code: '42501' });
      await expect(as(a, b.database, 'select 1')).rejects.toMatchObject({ code: '42501' });
      await expect(as(a, a.database, 'create database sneaky')).rejects.toMatchObject({ code: '42501' });
      await expect(as(a, a.database, 'create role sneaky')).rejects.toMatchObject({ code: '42501' });
    },
  );

  it.skipIf(!psql)('refuses a malformed entry without echoing its password', () => {
    const result = run('Bad:x:secret-value');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('"Bad:x:…" is not database:role:password');
    expect(result.stderr).not.toContain('secret-value');
  });
});
