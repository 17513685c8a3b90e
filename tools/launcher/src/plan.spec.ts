import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LauncherError, type Part } from './part.js';
import { assertEntriesExist, childEnv, entryFiles, selectParts, startOrder, validateParts } from './plan.js';

let nextPort = 4100;
function part(name: string, dependsOn: string[] = [], extra: Partial<Part> = {}): Part {
  const port = nextPort++;
  return {
    name,
    command: ['node', `apps/${name}/dist/main.js`],
    port,
    env: {},
    readyUrl: `http://127.0.0.1:${port}/health/ready`,
    dependsOn,
    ...extra,
  };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof LauncherError ? err.code : `not a LauncherError: ${String(err)}`;
  }
  return undefined;
}

describe('validateParts', () => {
  it('names an unknown dependency and the part that declares it', () => {
    const parts = [part('a'), part('b', ['nope'])];
    expect(codeOf(() => validateParts(parts))).toBe('UNKNOWN_DEPENDENCY');
    expect(() => validateParts(parts)).toThrow(/b depends on "nope", which is not declared/);
  });

  it('names the parts of a dependency cycle', () => {
    const parts = [part('a', ['c']), part('b', ['a']), part('c', ['b'])];
    expect(codeOf(() => validateParts(parts))).toBe('DEPENDENCY_CYCLE');
    expect(() => validateParts(parts)).toThrow('dependency cycle: a → c → b → a');
  });

  it('refuses a part that depends on itself', () => {
    expect(codeOf(() => validateParts([part('a', ['a'])]))).toBe('DEPENDENCY_CYCLE');
  });

  it('refuses duplicate names, and lists every other problem at once', () => {
    expect(codeOf(() => validateParts([part('a'), part('a')]))).toBe('DUPLICATE_PART');
    const bad = [
      part('Bad Name', [], { port: 0, readyUrl: 'ftp://x', command: [] }),
      part('ok', [], { port: 4100 }),
    ];
    const err = (() => {
      try {
        validateParts([part('first', [], { port: 4100 }), ...bad]);
      } catch (e) {
        return e as LauncherError;
      }
    })();
    expect(err?.code).toBe('INVALID_PART');
    expect(err?.message).toContain('must be kebab-case');
    expect(err?.message).toContain('port 0 is not a TCP port');
    expect(err?.message).toContain('is not an http:// URL');
    expect(err?.message).toContain('command must be a non-empty argv array');
    expect(err?.message).toContain('ok: port 4100 is already declared by first');
  });

  it('wants exactly one way to tell readiness', () => {
    expect(() =>
      validateParts([part('db', [], { readyUrl: undefined, readyOnMessage: true })]),
    ).not.toThrow();
    expect(() => validateParts([part('db', [], { readyOnMessage: true })])).toThrow(
      'db: declares both readyUrl and readyOnMessage',
    );
    expect(() => validateParts([part('db', [], { readyUrl: undefined })])).toThrow('is not an http:// URL');
  });
});

describe('startOrder', () => {
  it('puts every part after its dependencies, keeping declaration order otherwise', () => {
    const parts = [
      part('gateway', ['orders', 'users']),
      part('orders', ['users', 'id']),
      part('users', ['id']),
      part('id'),
    ];
    expect(startOrder(parts).map((p) => p.name)).toEqual(['id', 'users', 'orders', 'gateway']);
  });
});

describe('selectParts (HELPLINE_ONLY)', () => {
  const parts = [
    part('id'),
    part('users', ['id']),
    part('products', ['id']),
    part('orders', ['users', 'products']),
    part('web'),
  ];

  it('selects everything when empty or unset', () => {
    expect(selectParts(parts, undefined)).toHaveLength(5);
    expect(selectParts(parts, ' ')).toHaveLength(5);
  });

  it('adds the transitive dependencies of the named parts', () => {
    expect(selectParts(parts, 'users').map((p) => p.name)).toEqual(['id', 'users']);
    expect(selectParts(parts, 'orders').map((p) => p.name)).toEqual(['id', 'users', 'products', 'orders']);
    expect(selectParts(parts, 'web, users').map((p) => p.name)).toEqual(['id', 'users', 'web']);
  });

  it('refuses an unknown name and lists the known ones', () => {
    expect(codeOf(() => selectParts(parts, 'users,nope'))).toBe('UNKNOWN_PART_SELECTED');
    expect(() => selectParts(parts, 'nope')).toThrow(
      /"nope", not declared \(known: id, users, products, orders, web\)/,
    );
  });
});

describe('childEnv', () => {
  const p = part('user-service', [], { env: { PORT: '3000', LOG_LEVEL: 'info' } });

  it('inherits the launcher env, under the declared env', () => {
    const env = childEnv(p, { NODE_ENV: 'development', PORT: '1', PATH: '/bin' });
    expect(env).toMatchObject({ NODE_ENV: 'development', PATH: '/bin', PORT: '3000', LOG_LEVEL: 'info' });
  });

  it('withholds notInherited', () => {
    expect(childEnv(p, { DATABASE_URL: 'postgres://shared' }, ['DATABASE_URL']).DATABASE_URL).toBeUndefined();
    expect(childEnv(p, { DATABASE_URL: 'postgres://shared' }).DATABASE_URL).toBe('postgres://shared');
  });

  it('lets HELPLINE_<PART>__<VAR> override one part only', () => {
    const env = childEnv(p, {
      HELPLINE_USER_SERVICE__LOG_LEVEL: 'debug',
      HELPLINE_IDENTITY__LOG_LEVEL: 'warn',
    });
    expect(env.LOG_LEVEL).toBe('debug');
  });
});

describe('entry files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'launcher-entries-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes script arguments, not code passed to -e', () => {
    expect(entryFiles(part('a', [], { command: ['node', '--enable-source-maps', 'x/main.js'] }))).toEqual([
      'x/main.js',
    ]);
    expect(entryFiles(part('a', [], { command: ['node', '-e', 'import("./a.js")'] }))).toEqual([]);
  });

  it('fails naming each missing file and telling to build', () => {
    mkdirSync(join(dir, 'apps/user-service/dist'), { recursive: true });
    writeFileSync(join(dir, 'apps/user-service/dist/main.js'), '');
    const parts = [part('identity'), part('user-service', ['identity'])];
    expect(codeOf(() => assertEntriesExist(parts, dir))).toBe('ENTRY_NOT_FOUND');
    expect(() => assertEntriesExist(parts, dir)).toThrow(
      'identity: apps/identity/dist/main.js not found — run npm run build',
    );
    expect(() => assertEntriesExist([parts[1]!], dir)).not.toThrow();
  });
});
