import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { DomainError, type DatabaseHandle, openDatabase } from '@helpline/common';
import { createTestDatabase, type TestDatabase } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_ERRORS } from './users.errors.js';
import { UsersRepository } from './users.repository.js';
import { users } from './users.schema.js';

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

describe('UsersRepository', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let repository: UsersRepository;

  beforeAll(async () => {
    database = await createTestDatabase();
    handle = await openDatabase({ url: database.url, migrationsFolder: MIGRATIONS });
    repository = new UsersRepository(handle.db);
  });

  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it('pages through rows that share a creation time without skipping or repeating any', async () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    const rows = Array.from({ length: 7 }, (_, i) => ({
      cognitoSub: randomUUID(),
      email: `tie${i}@example.com`,
      name: `Tie ${i}`,
      createdAt: at,
    }));
    await handle.db.insert(users).values(rows);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await repository.list({ limit: 3, cursor, email: undefined });
      seen.push(...page.items.map((u) => u.email));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual(rows.map((r) => r.email).sort());
  });

  it('creates one user for one sub however many callers race', async () => {
    const sub = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        repository.insertIfAbsent({ cognitoSub: sub, email: `${sub}@example.com`, name: 'R' }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.user.id)).size).toBe(1);
  });

  it('reports a taken email as EMAIL_TAKEN, not a database error', async () => {
    await repository.insertIfAbsent({ cognitoSub: randomUUID(), email: 'taken@example.com', name: 'A' });
    const attempt = repository.insertIfAbsent({
      cognitoSub: randomUUID(),
      email: 'taken@example.com',
      name: 'B',
    });
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
    expect(USER_ERRORS.EMAIL_TAKEN).toBe(409);
  });

  it('refuses a status outside the allowed set at the database too', async () => {
    const { user } = await repository.insertIfAbsent({
      cognitoSub: randomUUID(),
      email: 'st@example.com',
      name: 'S',
    });
    await expect(repository.update(user.id, { status: 'banned' as 'active' })).rejects.toThrow();
  });
});
