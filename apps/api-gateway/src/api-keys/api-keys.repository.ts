import {
  type CursorPosition,
  DATABASE,
  type Database,
  decodeCursor,
  type Page,
  toPage,
} from '@helpline/common';
import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { type ApiKey, apiKeys } from './api-keys.schema.js';

const position = (key: ApiKey): CursorPosition => ({ at: key.createdAt.toISOString(), id: key.id });

@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async insert(key: Pick<ApiKey, 'name' | 'plan' | 'keyHash' | 'prefix' | 'createdBy'>): Promise<ApiKey> {
    const [row] = await this.db.insert(apiKeys).values(key).returning();
    return row as ApiKey;
  }

  async findById(id: string): Promise<ApiKey | undefined> {
    const [row] = await this.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    return row;
  }

  /** A key that is not revoked, by the hash of what the caller sent. */
  async findActiveByHash(keyHash: string): Promise<ApiKey | undefined> {
    const [row] = await this.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)));
    return row;
  }

  async list(limit: number, cursor?: string): Promise<Page<ApiKey>> {
    const conditions: SQL[] = [];
    if (cursor) {
      const after = decodeCursor(cursor);
      conditions.push(
        sql`(${apiKeys.createdAt}, ${apiKeys.id}) > (${after.at}::timestamptz, ${after.id}::uuid)`,
      );
    }
    const rows = await this.db
      .select()
      .from(apiKeys)
      .where(and(...conditions))
      .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
      .limit(limit + 1);
    return toPage(rows, limit, position);
  }

  /** Revokes once; a second revoke finds it revoked and changes nothing. */
  async revoke(id: string): Promise<ApiKey | undefined> {
    await this.db
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
    return this.findById(id);
  }
}
