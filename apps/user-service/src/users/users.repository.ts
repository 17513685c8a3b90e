import {
  type CursorPosition,
  DATABASE,
  type Database,
  decodeCursor,
  isUniqueViolation,
  type Page,
  toPage,
} from '@helpline/common';
import { Inject, Injectable } from '@nestjs/common';
import { and, asc, count, desc, eq, or, type SQL, sql } from 'drizzle-orm';
import { emailTaken } from './users.errors.js';
import { type NewUser, type User, type UserStatus, users } from './users.schema.js';

export interface UserFilter {
  limit: number;
  cursor?: string;
  email?: string;
  status?: UserStatus;
}

export type UserChanges = Partial<Pick<User, 'name' | 'email' | 'status'>>;

const position = (user: User): CursorPosition => ({ at: user.createdAt.toISOString(), id: user.id });

@Injectable()
export class UsersRepository {
  /** GET /users/me (order-service asks it for a buyer it has not seen for a few seconds), and the
   * active-user check of every request: prepared once (PostgreSQL plans it once per connection). */
  private readonly bySub;

  constructor(@Inject(DATABASE) private readonly db: Database) {
    this.bySub = db
      .select()
      .from(users)
      .where(eq(users.cognitoSub, sql.placeholder('sub')))
      .limit(1)
      .prepare('users_by_sub');
  }

  /** By the user's own id or by the linked Cognito sub: callers often know only the sub. */
  async findByIdOrSub(idOrSub: string): Promise<User | undefined> {
    const [user] = await this.db
      .select()
      .from(users)
      .where(or(eq(users.id, idOrSub), eq(users.cognitoSub, idOrSub)))
      .orderBy(desc(sql`${users.id} = ${idOrSub}`))
      .limit(1);
    return user;
  }

  async findBySub(sub: string): Promise<User | undefined> {
    const [user] = await this.bySub.execute({ sub });
    return user;
  }

  async list(filter: UserFilter): Promise<Page<User>> {
    const conditions: SQL[] = [];
    if (filter.email) conditions.push(eq(users.email, filter.email));
    if (filter.status) conditions.push(eq(users.status, filter.status));
    if (filter.cursor) {
      const after = decodeCursor(filter.cursor);
      conditions.push(sql`(${users.createdAt}, ${users.id}) > (${after.at}::timestamptz, ${after.id}::uuid)`);
    }
    const rows = await this.db
      .select()
      .from(users)
      .where(and(...conditions))
      .orderBy(asc(users.createdAt), asc(users.id))
      .limit(filter.limit + 1);
    return toPage(rows, filter.limit, position);
  }

  /**
   * Creates the user unless one is already linked to the sub, atomically (two concurrent calls for
   * one sub create one user). Says which happened.
   */
  async insertIfAbsent(user: NewUser): Promise<{ user: User; created: boolean }> {
    try {
      const [inserted] = await this.db
        .insert(users)
        .values(user)
        .onConflictDoNothing({ target: users.cognitoSub })
        .returning();
      if (inserted) return { user: inserted, created: true };
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken(user.email);
      throw error;
    }
    const existing = await this.findBySub(user.cognitoSub);
    if (!existing) throw new Error(`user with sub ${user.cognitoSub} vanished during creation`);
    return { user: existing, created: false };
  }

  async update(id: string, changes: UserChanges): Promise<User | undefined> {
    try {
      const [updated] = await this.db
        .update(users)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(users.id, id))
        .returning();
      return updated;
    } catch (error) {
      if (isUniqueViolation(error) && changes.email) throw emailTaken(changes.email);
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
    return deleted.length > 0;
  }

  async count(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(users);
    return row?.n ?? 0;
  }
}
