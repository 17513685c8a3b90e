import { DATABASE, type Database, executeNamed, sqlState } from '@helpline/common';
import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, inArray, lte, type SQL, sql } from 'drizzle-orm';
import { productsNotFound } from '../products/products.errors.js';
import { products } from '../products/products.schema.js';
import { insufficientStock, reservationNotFound, type Shortage } from './reservations.errors.js';
import { type Refusal, restocks, settle, type SettleAction } from './reservations.lifecycle.js';
import {
  type Reservation,
  type ReservationItem,
  reservationItems,
  reservations,
} from './reservations.schema.js';

export interface RequestedItem {
  productId: string;
  quantity: number;
}

export interface ReservationWithItems extends Reservation {
  /** Ordered by product id. */
  items: ReservationItem[];
}

export interface Settled {
  reservation: ReservationWithItems;
  /** The caller is refused with this code, although `reservation` may have changed (expired). */
  refusal: Refusal | null;
}

/** The namespace of the per-key advisory locks (the two-key form: its own space of locks). */
const KEY_LOCK_NAMESPACE = 0x5265_7376; // 'Resv'

/** `(values ($1::uuid, $2::int), ...) as <alias>(product_id, quantity)`: one row per product. */
const quantities = (alias: string, rows: RequestedItem[]): SQL =>
  sql`(values ${sql.join(
    rows.map((r) => sql`(${r.productId}::uuid, ${r.quantity}::int)`),
    sql`, `,
  )}) as ${sql.identifier(alias)}(product_id, quantity)`;

/** A reservation row as row_to_json writes it. */
interface ReservationJson {
  id: string;
  key: string;
  status: Reservation['status'];
  expires_at: string;
  created_at: string;
  updated_at: string;
}

/** A reservation item as json_agg writes it (the reservation id left out). */
interface ItemJson {
  product_id: string;
  quantity: number;
  unit_price: number;
  currency: string;
  name: string;
}

/** What the one-statement reserve and commit answer: the reservation and its items, as JSON. */
interface AtOnceRow {
  reservation: ReservationJson | null;
  items: ItemJson[] | null;
}

const fromJson = (row: ReservationJson, items: ItemJson[]): ReservationWithItems => ({
  id: row.id,
  key: row.key,
  status: row.status,
  expiresAt: new Date(row.expires_at),
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
  items: items.map((item) => ({
    reservationId: row.id,
    productId: item.product_id,
    quantity: item.quantity,
    unitPrice: item.unit_price,
    currency: item.currency,
    name: item.name,
  })),
});

const byProductId = <T extends { productId: string }>(a: T, b: T) =>
  a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0;

/**
 * Stock movements and reservations, in transactions whose locks are always taken in one order:
 * the reservation row first (when there is one), then product rows sorted by id. Two transactions
 * over overlapping products therefore queue instead of deadlocking.
 */
@Injectable()
export class ReservationsRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async findByKey(key: string): Promise<ReservationWithItems | undefined> {
    return this.load(this.db, eq(reservations.key, key));
  }

  async findById(id: string): Promise<ReservationWithItems | undefined> {
    return this.load(this.db, eq(reservations.id, id));
  }

  /**
   * Takes the units of every item out of stock and records the reservation, all or nothing, in
   * one transaction; or, when the key was used before, returns that reservation untouched
   * (`created: false`) for the caller to compare.
   *
   * Same-key requests are serialised by an advisory lock on the key, so the second one finds the
   * first one's reservation instead of taking stock again. Product rows are locked in id order
   * (`SELECT ... ORDER BY id FOR UPDATE`) and then decremented by a conditional UPDATE
   * (`SET stock = stock - q WHERE stock >= q`); the CHECK (stock >= 0) backs both.
   */
  async reserve(
    key: string,
    requested: RequestedItem[],
    ttlMs: number,
  ): Promise<{ reservation: ReservationWithItems; created: boolean }> {
    const items = [...requested].sort(byProductId);
    const ids = items.map((i) => i.productId);
    if (new Set(ids).size === ids.length) {
      const reserved = await this.reserveAtOnce(key, items, ttlMs);
      if (reserved) return { reservation: reserved, created: true };
    }
    // A key used before, a product missing or short, or the same product twice: the step by step
    // transaction below tells which (and answers as it always did).
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${KEY_LOCK_NAMESPACE}::int, hashtext(${key}))`);
      const existing = await this.load(tx, eq(reservations.key, key));
      if (existing) return { reservation: existing, created: false };

      const locked = await tx
        .select({
          id: products.id,
          name: products.name,
          price: products.price,
          currency: products.currency,
          stock: products.stock,
        })
        .from(products)
        .where(inArray(products.id, ids))
        .orderBy(asc(products.id))
        .for('update');
      const byId = new Map(locked.map((p) => [p.id, p]));
      const missing = ids.filter((id) => !byId.has(id));
      if (missing.length > 0) throw productsNotFound(missing);
      const shortages: Shortage[] = items.flatMap((item) => {
        const available = byId.get(item.productId)?.stock ?? 0;
        return available < item.quantity
          ? [{ productId: item.productId, requested: item.quantity, available }]
          : [];
      });
      if (shortages.length > 0) throw insufficientStock(shortages);

      // The rows are locked, so this takes every item; the condition (and the CHECK) stay as the
      // guarantee should anything ever write stock without the lock.
      const taken = await tx
        .update(products)
        .set({ stock: sql`${products.stock} - taken.quantity`, updatedAt: sql`now()` })
        .from(quantities('taken', items))
        .where(sql`${products.id} = taken.product_id and ${products.stock} >= taken.quantity`)
        .returning({ id: products.id });
      if (taken.length !== items.length) {
        throw insufficientStock(
          items
            .filter((i) => !taken.some((t) => t.id === i.productId))
            .map((i) => ({ productId: i.productId, requested: i.quantity, available: 0 })),
        );
      }

      const [reservation] = await tx
        .insert(reservations)
        .values({ key, expiresAt: sql`now() + ${ttlMs}::int * interval '1 millisecond'` })
        .returning();
      if (!reservation) throw new Error('insert returned no reservation');
      const rows = await tx
        .insert(reservationItems)
        .values(
          items.map((item) => {
            const product = byId.get(item.productId)!;
            return {
              reservationId: reservation.id,
              productId: item.productId,
              quantity: item.quantity,
              unitPrice: product.price,
              currency: product.currency,
              name: product.name,
            };
          }),
        )
        .returning();
      return { reservation: { ...reservation, items: rows.sort(byProductId) }, created: true };
    });
  }

  /**
   * The common case of `reserve` in one statement (one round trip, no BEGIN/COMMIT): a new key,
   * every product there with enough stock. Undefined when it reserved nothing, for whatever
   * reason; `reserve` then finds out why step by step.
   *
   * Same locks in the same order as the transaction: the key's advisory lock first (taken before
   * anything else runs, as the `lk` init plan that gates `locked`), then the product rows sorted by
   * id (`ORDER BY id FOR UPDATE`, read in their latest committed version once locked). The
   * reservation is inserted only when every product was found with enough stock, `ON CONFLICT
   * (key) DO NOTHING` leaves a key used before alone (the unique index sees committed rows, not
   * the statement's snapshot), and stock is taken only when the reservation was inserted. The
   * guard divides by zero — failing, and so rolling back, the whole statement — should the
   * conditional UPDATE ever take fewer items than were asked for; the CHECK (stock >= 0) backs it.
   */
  private async reserveAtOnce(
    key: string,
    items: RequestedItem[],
    ttlMs: number,
  ): Promise<ReservationWithItems | undefined> {
    const n = items.length;
    let row: AtOnceRow | undefined;
    try {
      [row] = await executeNamed<AtOnceRow>(
        this.db,
        `reservations_reserve_${n}`,
        sql`
        with lk as (
          select pg_advisory_xact_lock(${KEY_LOCK_NAMESPACE}::int, hashtext(${key}))
        ),
        req as materialized (
          select * from ${quantities('q', items)}
        ),
        locked as materialized (
          select p.id, p.name, p.price, p.currency, p.stock
          from products p
          where p.id in (select product_id from req) and exists (select 1 from lk)
          order by p.id
          for update of p
        ),
        verdict as (
          select count(l.id) = ${n}::int and coalesce(bool_and(l.stock >= r.quantity), false) as ok
          from req r left join locked l on l.id = r.product_id
        ),
        ins as (
          insert into reservations (key, expires_at)
          select ${key}, now() + ${ttlMs}::int * interval '1 millisecond'
          from verdict where verdict.ok
          on conflict (key) do nothing
          returning id, key, status, expires_at, created_at, updated_at
        ),
        taken as (
          update products p
          set stock = p.stock - r.quantity, updated_at = now()
          from req r, ins
          where p.id = r.product_id and p.stock >= r.quantity
          returning p.id
        ),
        guard as (
          select 1 / (case when (select count(*) from taken) = ${n}::int then 1 else 0 end) as one
        ),
        added as (
          insert into reservation_items (reservation_id, product_id, quantity, unit_price, currency, name)
          select ins.id, l.id, r.quantity * guard.one, l.price, l.currency, l.name
          from ins, guard, req r join locked l on l.id = r.product_id
          returning product_id, quantity, unit_price, currency, name
        )
        select
          (select row_to_json(ins) from ins) as reservation,
          (select json_agg(added order by added.product_id) from added) as items
      `,
      );
    } catch (error) {
      // The guard: leave it to the transaction, which refuses with the shortage.
      if (sqlState(error) === '22012') return undefined;
      throw error;
    }
    if (!row?.reservation) return undefined;
    return fromJson(row.reservation, row.items ?? []);
  }

  /**
   * A commit of a reservation that is reserved and not due, in one statement: the common case of
   * `settle(id, 'commit')` (reserved and not due → committed, nothing restocked, no refusal). The
   * UPDATE takes the row lock and re-checks its condition on the latest version, as the
   * transaction's `SELECT ... FOR UPDATE` does; `now()` is the statement's, as there. Undefined
   * when the reservation is anything else: `settle` then decides.
   */
  async commitAtOnce(id: string): Promise<ReservationWithItems | undefined> {
    const [row] = await executeNamed<AtOnceRow>(
      this.db,
      'reservations_commit',
      sql`
      with done as (
        update reservations
        set status = 'committed', updated_at = now()
        where id = ${id}::uuid and status = 'reserved' and expires_at > now()
        returning id, key, status, expires_at, created_at, updated_at
      )
      select
        (select row_to_json(done) from done) as reservation,
        (select json_agg(i order by i.product_id)
           from reservation_items i
          where i.reservation_id = ${id}::uuid and exists (select 1 from done)) as items
    `,
    );
    if (!row?.reservation) return undefined;
    return fromJson(row.reservation, row.items ?? []);
  }

  /**
   * Makes sure no stock is held under `key`: releases the reservation made with it (a `settle`
   * release) or, when none was made, records the key as used by a released reservation without
   * items — so that a request with the key arriving late (after its caller gave up) finds it and
   * takes nothing. Serialised with `reserve` by the same advisory lock on the key.
   */
  async voidKey(key: string): Promise<Settled> {
    const id = await this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${KEY_LOCK_NAMESPACE}::int, hashtext(${key}))`);
      const [existing] = await tx
        .select({ id: reservations.id })
        .from(reservations)
        .where(eq(reservations.key, key));
      if (existing) return existing.id;
      const [tombstone] = await tx
        .insert(reservations)
        .values({ key, status: 'released', expiresAt: sql`now()` })
        .returning({ id: reservations.id });
      return (tombstone as { id: string }).id;
    });
    return this.settle(id, 'release');
  }

  /**
   * Commits, releases or returns a reservation under its row lock, so that of a commit, a release
   * and the sweep racing for one reservation exactly one moves it, and units go back at most once.
   */
  async settle(id: string, action: SettleAction): Promise<Settled> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ status: reservations.status, due: sql<boolean>`${reservations.expiresAt} <= now()` })
        .from(reservations)
        .where(eq(reservations.id, id))
        .for('update');
      if (!row) throw reservationNotFound(id);
      const step = settle(action, row.status, row.due);
      if (step.next) {
        if (restocks(step.next)) await this.restock(tx, [id]);
        await tx
          .update(reservations)
          .set({ status: step.next, updatedAt: sql`now()` })
          .where(eq(reservations.id, id));
      }
      const reservation = await this.load(tx, eq(reservations.id, id));
      if (!reservation) throw reservationNotFound(id);
      return { reservation, refusal: step.refusal };
    });
  }

  /**
   * Expires up to `batch` reservations that are past due and puts their units back, in one
   * transaction. `SKIP LOCKED`: several instances sweeping at once take different rows, and a
   * reservation that a commit or release holds is left to it. Returns how many expired.
   */
  async expireDue(batch: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const due = await tx
        .select({ id: reservations.id })
        .from(reservations)
        .where(and(eq(reservations.status, 'reserved'), lte(reservations.expiresAt, sql`now()`)))
        .orderBy(asc(reservations.expiresAt), asc(reservations.id))
        .limit(batch)
        .for('update', { skipLocked: true });
      if (due.length === 0) return 0;
      const ids = due.map((r) => r.id);
      await this.restock(tx, ids);
      await tx
        .update(reservations)
        .set({ status: 'expired', updatedAt: sql`now()` })
        .where(inArray(reservations.id, ids));
      return due.length;
    });
  }

  /** Puts the units of these (locked) reservations back, locking products in id order. */
  private async restock(tx: Database, reservationIds: string[]): Promise<void> {
    const held = await tx
      .select({
        productId: reservationItems.productId,
        quantity: sql<number>`sum(${reservationItems.quantity})::int`,
      })
      .from(reservationItems)
      .where(inArray(reservationItems.reservationId, reservationIds))
      .groupBy(reservationItems.productId)
      .orderBy(asc(reservationItems.productId));
    if (held.length === 0) return;
    await tx
      .select({ id: products.id })
      .from(products)
      .where(
        inArray(
          products.id,
          held.map((h) => h.productId),
        ),
      )
      .orderBy(asc(products.id))
      .for('update');
    await tx
      .update(products)
      .set({ stock: sql`${products.stock} + back.quantity`, updatedAt: sql`now()` })
      .from(quantities('back', held))
      .where(sql`${products.id} = back.product_id`);
  }

  private async load(db: Database, where: SQL): Promise<ReservationWithItems | undefined> {
    const [reservation] = await db.select().from(reservations).where(where).limit(1);
    if (!reservation) return undefined;
    const items = await db
      .select()
      .from(reservationItems)
      .where(eq(reservationItems.reservationId, reservation.id))
      .orderBy(asc(reservationItems.productId));
    return { ...reservation, items };
  }
}
