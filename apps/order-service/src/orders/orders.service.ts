import { createHash } from 'node:crypto';
import type { Principal } from '@helpline/auth';
import { DomainError, type Page } from '@helpline/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OrderItemRequestDto } from './dto/create-order.dto.js';
import {
  idempotencyKeyInUse,
  idempotencyKeyReused,
  mixedCurrencies,
  notCancellable,
  orderNotFound,
} from './orders.errors.js';
import { canSeeEveryOrder } from './orders.policy.js';
import {
  BUYER_DIRECTORY,
  type BuyerDirectory,
  type Reservation,
  STOCK_RESERVATIONS,
  type StockReservations,
} from './orders.ports.js';
import { type OrderFilter, OrdersRepository, type OrderWithItems } from './orders.repository.js';
import type { Order } from './orders.schema.js';
import { ReservationTasksWorker } from './reservation-tasks.worker.js';

export interface PlaceOrder {
  principal: Principal;
  items: OrderItemRequestDto[];
  idempotencyKey?: string;
}

/** Outcomes a refusal by product-service makes certain: nothing was reserved. */
const NOTHING_RESERVED = new Set(['INSUFFICIENT_STOCK', 'PRODUCT_NOT_FOUND']);

@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    private readonly repository: OrdersRepository,
    private readonly tasks: ReservationTasksWorker,
    @Inject(BUYER_DIRECTORY) private readonly buyers: BuyerDirectory,
    @Inject(STOCK_RESERVATIONS) private readonly stock: StockReservations,
  ) {}

  /**
   * Places an order (seed §3.4): reads the buyer from user-service, reserves the stock at
   * product-service (which prices it), stores the order, commits the reservation. Whatever fails
   * after the reservation may exist queues its release in the same transaction that fails the
   * order. `created` is false when the Idempotency-Key names an order already placed.
   */
  async place(input: PlaceOrder): Promise<{ order: OrderWithItems; created: boolean }> {
    const requestHash = hashItems(input.items);
    const buyer = await this.buyers.current(input.principal.sub);
    const { order, created } = await this.repository.start({
      ownerSub: input.principal.sub,
      userId: buyer.id,
      idempotencyKey: input.idempotencyKey,
      requestHash,
    });
    if (!created) return { order: await this.replay(order, requestHash), created: false };

    // The reservation's key is the order's id: a retry, or the worker, finds it again by it.
    let reservation: Reservation;
    try {
      reservation = await this.stock.reserve(order.id, input.items);
    } catch (error) {
      const certain = error instanceof DomainError && NOTHING_RESERVED.has(error.code);
      // A timeout or an outage leaves it unknown whether stock was taken: release by key, and let
      // the buyer retry with the same Idempotency-Key.
      await this.failAndRelease(order.id, reasonOf(error), { release: !certain, transient: !certain });
      throw error;
    }

    const currencies = [...new Set(reservation.items.map((item) => item.currency))];
    if (currencies.length !== 1) {
      await this.failAndRelease(order.id, 'MIXED_CURRENCIES', { release: true, transient: false });
      throw mixedCurrencies(currencies);
    }
    await this.repository.price(order.id, reservation.id, reservation.items, currencies[0] as string);

    try {
      await this.stock.commit(reservation.id);
    } catch (error) {
      await this.failAndRelease(order.id, reasonOf(error), { release: true, transient: true });
      throw error;
    }
    const confirmed = await this.repository.confirm(order.id);
    if (confirmed) {
      // Its items are the ones `price` just wrote, in that order: no need to read them back.
      const items = reservation.items.map(({ productId, name, unitPrice, quantity }) => ({
        orderId: order.id,
        productId,
        name,
        unitPrice,
        quantity,
      }));
      return { order: { order: confirmed, items }, created: true };
    }
    // Too slow: the abandoned-order sweep failed it, and queued the release, meanwhile.
    this.logger.warn(`order ${order.id} was abandoned while being placed`);
    return { order: (await this.repository.find(order.id)) as OrderWithItems, created: true };
  }

  list(principal: Principal, filter: Omit<OrderFilter, 'ownerSub'>): Promise<Page<OrderWithItems>> {
    return this.repository.list({
      ...filter,
      ...(canSeeEveryOrder(principal) ? {} : { ownerSub: principal.sub }),
    });
  }

  /** Someone else's order is a 404, as if it did not exist, unless the caller is staff. */
  async get(id: string, principal: Principal): Promise<OrderWithItems> {
    const found = await this.repository.find(id);
    if (!found || !(canSeeEveryOrder(principal) || found.order.ownerSub === principal.sub)) {
      throw orderNotFound(id);
    }
    return found;
  }

  /** confirmed → cancelled; the units go back to product-service now, or later by the worker. */
  async cancel(id: string, principal: Principal): Promise<OrderWithItems> {
    await this.get(id, principal);
    const result = await this.repository.cancel(id);
    if (!result) throw orderNotFound(id);
    if (!result.cancelled) throw notCancellable(result.order.status);
    await this.tasks.runNow();
    return (await this.repository.find(id)) as OrderWithItems;
  }

  private async replay(order: Order, requestHash: string): Promise<OrderWithItems> {
    if (order.requestHash !== requestHash) throw idempotencyKeyReused();
    if (order.status === 'pending') throw idempotencyKeyInUse();
    return (await this.repository.find(order.id)) as OrderWithItems;
  }

  private async failAndRelease(
    orderId: string,
    reason: string,
    options: { release: boolean; transient: boolean },
  ): Promise<void> {
    await this.repository.fail(orderId, reason, options);
    // Give the units back now if product-service answers, without making the caller wait for a
    // service that is down; the worker keeps trying either way.
    if (options.release) void this.tasks.runNow();
  }
}

/** What an order is for, independent of the order of its items: same items, same hash. */
export function hashItems(items: Array<{ productId: string; quantity: number }>): string {
  const canonical = items
    .map((item) => `${item.productId.toLowerCase()}:${item.quantity}`)
    .sort()
    .join(',');
  return createHash('sha256').update(canonical).digest('hex');
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'UPSTREAM_FAILED';
}
