import {
  type CursorPosition,
  DATABASE,
  type Database,
  decodeCursor,
  executeNamed,
  type Page,
  toPage,
} from '@helpline/common';
import { Inject, Injectable } from '@nestjs/common';
import { and, desc, eq, inArray, isNull, lte, type SQL, sql } from 'drizzle-orm';
import {
  type Order,
  type OrderItem,
  orderItems,
  orders,
  type OrderStatus,
  type ReservationAction,
  type ReservationTask,
  reservationTasks,
} from './orders.schema.js';

export interface OrderWithItems {
  order: Order;
  items: OrderItem[];
}

export interface OrderFilter {
  limit: number;
  cursor?: string;
  /** Only this buyer's orders; undefined = everyone's (staff). */
  ownerSub?: string;
  status?: OrderStatus;
}

/** What a reservation says about the items it holds: what the order is priced from. */
export interface PricedItem {
  productId: string;
  name: string;
  unitPrice: number;
  quantity: number;
}

/** A task claimed by the worker, with what it needs to know about its order. */
export interface ClaimedTask extends ReservationTask {
  reservationId: string | null;
  orderStatus: OrderStatus;
}

const position = (order: Order): CursorPosition => ({ at: order.createdAt.toISOString(), id: order.id });

@Injectable()
export class OrdersRepository {
  /** The order path's statements, prepared once (PostgreSQL plans each once per connection). */
  private readonly startStatement;
  private readonly confirmStatement;

  constructor(@Inject(DATABASE) private readonly db: Database) {
    this.startStatement = db
      .insert(orders)
      .values({
        ownerSub: sql.placeholder('ownerSub'),
        userId: sql.placeholder('userId'),
        idempotencyKey: sql.placeholder('idempotencyKey'),
        requestHash: sql.placeholder('requestHash'),
      })
      .onConflictDoNothing({ target: [orders.ownerSub, orders.idempotencyKey] })
      .returning()
      .prepare('orders_start');
    this.confirmStatement = db
      .update(orders)
      .set({ status: 'confirmed', updatedAt: sql`now()` })
      .where(and(eq(orders.id, sql.placeholder('id')), eq(orders.status, 'pending')))
      .returning()
      .prepare('orders_confirm');
  }

  /**
   * Starts a pending order, or — when the buyer already used this Idempotency-Key — returns the
   * order placed with it, atomically (two concurrent requests with one key start one order).
   */
  async start(input: {
    ownerSub: string;
    userId: string;
    idempotencyKey?: string;
    requestHash: string;
  }): Promise<{ order: Order; created: boolean }> {
    const [created] = await this.startStatement.execute({
      ownerSub: input.ownerSub,
      userId: input.userId,
      idempotencyKey: input.idempotencyKey ?? null,
      requestHash: input.requestHash,
    });
    if (created) return { order: created, created: true };
    const [existing] = await this.db
      .select()
      .from(orders)
      .where(
        and(eq(orders.ownerSub, input.ownerSub), eq(orders.idempotencyKey, input.idempotencyKey as string)),
      );
    if (existing) return { order: existing, created: false };
    // The holder of the key was forgotten (a transient failure) between our insert and select.
    return this.start(input);
  }

  async find(id: string): Promise<OrderWithItems | undefined> {
    const [order] = await this.db.select().from(orders).where(eq(orders.id, id));
    if (!order) return undefined;
    return { order, items: await this.itemsOf([order.id]) };
  }

  /** Newest first. */
  async list(filter: OrderFilter): Promise<Page<OrderWithItems>> {
    const conditions: SQL[] = [];
    if (filter.ownerSub) conditions.push(eq(orders.ownerSub, filter.ownerSub));
    if (filter.status) conditions.push(eq(orders.status, filter.status));
    if (filter.cursor) {
      const before = decodeCursor(filter.cursor);
      conditions.push(
        sql`(${orders.createdAt}, ${orders.id}) < (${before.at}::timestamptz, ${before.id}::uuid)`,
      );
    }
    const rows = await this.db
      .select()
      .from(orders)
      .where(and(...conditions))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(filter.limit + 1);
    const page = toPage(rows, filter.limit, position);
    const items = await this.itemsOf(page.items.map((o) => o.id));
    return {
      items: page.items.map((order) => ({ order, items: items.filter((i) => i.orderId === order.id) })),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Prices a pending order from its reservation: its items, total and currency. One statement (a
   * data-modifying CTE), so as atomic as a transaction and one round trip instead of four.
   */
  async price(orderId: string, reservationId: string, items: PricedItem[], currency: string): Promise<void> {
    const total = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);
    const rows = sql.join(
      items.map(
        (item) =>
          sql`(${orderId}::uuid, ${item.productId}::uuid, ${item.name}, ${item.unitPrice}::int, ${item.quantity}::int)`,
      ),
      sql`, `,
    );
    await executeNamed(
      this.db,
      `orders_price_${items.length}`,
      sql`
      with added as (
        insert into ${orderItems} (order_id, product_id, name, unit_price, quantity)
        values ${rows}
        on conflict do nothing
      )
      update ${orders}
      set reservation_id = ${reservationId}::uuid, total = ${total}::int, currency = ${currency},
          updated_at = now()
      where id = ${orderId}::uuid
    `,
    );
  }

  /** pending → confirmed. Undefined when the order was no longer pending (the sweep failed it). */
  async confirm(orderId: string): Promise<Order | undefined> {
    const [order] = await this.confirmStatement.execute({ id: orderId });
    return order;
  }

  /**
   * pending → failed, and in the same transaction the release of whatever stock it may hold is
   * queued, so that no reservation outlives an order that failed, whatever happens next. A
   * transient failure frees the Idempotency-Key, so that a retry with it places the order anew.
   */
  async fail(
    orderId: string,
    reason: string,
    options: { release: boolean; transient: boolean },
  ): Promise<Order | undefined> {
    return this.db.transaction(async (tx) => {
      const [order] = await tx
        .update(orders)
        .set({
          status: 'failed',
          reason,
          updatedAt: sql`now()`,
          ...(options.transient ? { idempotencyKey: null } : {}),
        })
        .where(and(eq(orders.id, orderId), eq(orders.status, 'pending')))
        .returning();
      if (order && options.release) await this.queue(tx, orderId, 'release');
      return order;
    });
  }

  /** confirmed → cancelled with the return of its units queued; the row is locked meanwhile. */
  async cancel(orderId: string): Promise<{ order: Order; cancelled: boolean } | undefined> {
    return this.db.transaction(async (tx) => {
      const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
      if (!order || order.status !== 'confirmed') return order ? { order, cancelled: false } : undefined;
      const [cancelled] = await tx
        .update(orders)
        .set({ status: 'cancelled', reason: 'CANCELLED', updatedAt: sql`now()` })
        .where(eq(orders.id, orderId))
        .returning();
      await this.queue(tx, orderId, 'return');
      return { order: cancelled as Order, cancelled: true };
    });
  }

  /**
   * The stock reservation of a failed order turned out committed (a commit whose answer was lost):
   * the units are sold, so the order stands. failed → confirmed.
   */
  async confirmFailed(orderId: string): Promise<void> {
    await this.db
      .update(orders)
      .set({ status: 'confirmed', reason: null, updatedAt: sql`now()` })
      .where(and(eq(orders.id, orderId), eq(orders.status, 'failed')));
  }

  /** Pending orders whose request died (a crash mid-order): no live request keeps one this long. */
  async abandoned(olderThanMs: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .select({ id: orders.id })
      .from(orders)
      .where(
        and(
          eq(orders.status, 'pending'),
          lte(orders.updatedAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`),
        ),
      )
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /**
   * Leases up to `limit` due tasks for `leaseMs` (another worker skips them meanwhile, and takes
   * them over if this one dies), with their order's reservation and status.
   */
  async claimTasks(limit: number, leaseMs: number): Promise<ClaimedTask[]> {
    const due = this.db
      .select({ id: reservationTasks.id })
      .from(reservationTasks)
      .where(and(isNull(reservationTasks.doneAt), lte(reservationTasks.nextAttemptAt, sql`now()`)))
      .orderBy(reservationTasks.nextAttemptAt)
      .limit(limit)
      .for('update', { skipLocked: true });
    const leased = await this.db
      .update(reservationTasks)
      .set({ nextAttemptAt: sql`now() + make_interval(secs => ${leaseMs / 1000})` })
      .where(inArray(reservationTasks.id, due))
      .returning({ id: reservationTasks.id });
    const ids = leased.map((r) => r.id);
    if (ids.length === 0) return [];
    const rows = await this.db
      .select({ task: reservationTasks, reservationId: orders.reservationId, orderStatus: orders.status })
      .from(reservationTasks)
      .innerJoin(orders, eq(orders.id, reservationTasks.orderId))
      .where(inArray(reservationTasks.id, ids));
    return rows.map((r) => ({ ...r.task, reservationId: r.reservationId, orderStatus: r.orderStatus }));
  }

  async completeTask(taskId: string): Promise<void> {
    await this.db
      .update(reservationTasks)
      .set({ doneAt: sql`now()`, lastError: null })
      .where(eq(reservationTasks.id, taskId));
  }

  async retryTaskLater(taskId: string, error: string, delayMs: number): Promise<void> {
    await this.db
      .update(reservationTasks)
      .set({
        attempts: sql`${reservationTasks.attempts} + 1`,
        lastError: error.slice(0, 500),
        nextAttemptAt: sql`now() + make_interval(secs => ${delayMs / 1000})`,
      })
      .where(eq(reservationTasks.id, taskId));
  }

  /** Tasks not done yet: what the tests and /health detail look at. */
  async pendingTaskCount(): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(reservationTasks)
      .where(isNull(reservationTasks.doneAt));
    return row?.n ?? 0;
  }

  private async itemsOf(orderIds: string[]): Promise<OrderItem[]> {
    if (orderIds.length === 0) return [];
    return this.db.select().from(orderItems).where(inArray(orderItems.orderId, orderIds));
  }

  private async queue(
    tx: Pick<Database, 'insert'>,
    orderId: string,
    action: ReservationAction,
  ): Promise<void> {
    await tx.insert(reservationTasks).values({ orderId, action }).onConflictDoNothing();
  }
}
