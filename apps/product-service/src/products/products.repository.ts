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
import { and, asc, count, eq, or, type SQL, sql } from 'drizzle-orm';
import { reservationItems, reservations } from '../reservations/reservations.schema.js';
import { productNotFound, productReserved, skuTaken } from './products.errors.js';
import { type NewProduct, type Product, products } from './products.schema.js';

export interface ProductFilter {
  limit: number;
  cursor?: string;
  /** Matched literally (no wildcards) against the name and the sku, ignoring case. */
  q?: string;
}

export type ProductChanges = Partial<
  Pick<Product, 'sku' | 'name' | 'description' | 'price' | 'currency' | 'stock'>
>;

const position = (product: Product): CursorPosition => ({
  at: product.createdAt.toISOString(),
  id: product.id,
});

/** `%` and `_` (and the escape character itself) as literal characters of a LIKE pattern. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

@Injectable()
export class ProductsRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async findById(id: string): Promise<Product | undefined> {
    const [product] = await this.db.select().from(products).where(eq(products.id, id)).limit(1);
    return product;
  }

  async list(filter: ProductFilter): Promise<Page<Product>> {
    const conditions: SQL[] = [];
    if (filter.q) {
      const pattern = `%${escapeLike(filter.q)}%`;
      conditions.push(
        or(
          sql`${products.name} ilike ${pattern} escape '\\'`,
          sql`${products.sku} ilike ${pattern} escape '\\'`,
        ) as SQL,
      );
    }
    if (filter.cursor) {
      const after = decodeCursor(filter.cursor);
      conditions.push(
        sql`(${products.createdAt}, ${products.id}) > (${after.at}::timestamptz, ${after.id}::uuid)`,
      );
    }
    const rows = await this.db
      .select()
      .from(products)
      .where(and(...conditions))
      .orderBy(asc(products.createdAt), asc(products.id))
      .limit(filter.limit + 1);
    return toPage(rows, filter.limit, position);
  }

  async insert(product: NewProduct): Promise<Product> {
    try {
      const [inserted] = await this.db.insert(products).values(product).returning();
      if (!inserted) throw new Error('insert returned no row');
      return inserted;
    } catch (error) {
      if (isUniqueViolation(error)) throw skuTaken(product.sku);
      throw error;
    }
  }

  /** For the demo data: a product whose id or sku exists already is left as it is. */
  async insertIfAbsent(product: NewProduct): Promise<boolean> {
    const inserted = await this.db
      .insert(products)
      .values(product)
      .onConflictDoNothing()
      .returning({ id: products.id });
    return inserted.length > 0;
  }

  async update(id: string, changes: ProductChanges): Promise<Product | undefined> {
    try {
      const [updated] = await this.db
        .update(products)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(products.id, id))
        .returning();
      return updated;
    } catch (error) {
      if (isUniqueViolation(error) && changes.sku) throw skuTaken(changes.sku);
      throw error;
    }
  }

  /**
   * Deletes the product unless an open reservation holds some of it. The row lock makes the
   * check and the delete one step: a reservation taking units meanwhile holds the same lock, so
   * either it commits first (and the check sees it) or it finds the product gone.
   */
  async delete(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [locked] = await tx
        .select({ id: products.id })
        .from(products)
        .where(eq(products.id, id))
        .for('update');
      if (!locked) throw productNotFound(id);
      // A statement of its own, after the lock: under READ COMMITTED it sees what committed meanwhile.
      const [open] = await tx
        .select({ id: reservations.id })
        .from(reservationItems)
        .innerJoin(reservations, eq(reservations.id, reservationItems.reservationId))
        .where(and(eq(reservationItems.productId, id), eq(reservations.status, 'reserved')))
        .limit(1);
      if (open) throw productReserved(id);
      await tx.delete(products).where(eq(products.id, id));
    });
  }

  async count(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(products);
    return row?.n ?? 0;
  }
}
