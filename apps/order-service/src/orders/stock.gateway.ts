import { encodePath, isUpstreamError, ServiceHttpClient } from '@helpline/http';
import { Injectable } from '@nestjs/common';
import { insufficientStock, productNotFound } from './orders.errors.js';
import type { Reservation, StockReservations } from './orders.ports.js';

const UPSTREAM = 'product-service';
const RESERVATIONS = '/products/reservations';

const reservationPath = (id: string, action: 'commit' | 'return') =>
  encodePath`/products/reservations/${id}/${action}`;

/**
 * product-service's stock reservations, with order-service's own client-credentials token (scope
 * service/product.write): reserving stock is the service's act, not the buyer's. Every call is
 * idempotent at product-service (reserve and void by key, commit and return by id), so all may retry.
 */
@Injectable()
export class StockGateway implements StockReservations {
  constructor(private readonly http: ServiceHttpClient) {}

  async reserve(key: string, items: Array<{ productId: string; quantity: number }>): Promise<Reservation> {
    try {
      return await this.http.post<Reservation>(
        UPSTREAM,
        RESERVATIONS,
        { key, items: items.map(({ productId, quantity }) => ({ productId, quantity })) },
        { auth: 'service', idempotencyKey: key, passThroughStatuses: [404, 409, 422] },
      );
    } catch (error) {
      if (isUpstreamError(error, 'INSUFFICIENT_STOCK')) {
        const body = error.upstreamBody as { shortages?: unknown } | undefined;
        throw insufficientStock(body?.shortages ?? []);
      }
      if (isUpstreamError(error, 'PRODUCT_NOT_FOUND')) throw productNotFound(error.message);
      throw error;
    }
  }

  async commit(reservationId: string): Promise<void> {
    await this.http.post(UPSTREAM, reservationPath(reservationId, 'commit'), undefined, {
      auth: 'service',
      idempotent: true,
    });
  }

  async voidKey(key: string): Promise<'released' | 'committed'> {
    try {
      await this.http.post(
        UPSTREAM,
        `${RESERVATIONS}/void`,
        { key },
        {
          auth: 'service',
          idempotent: true,
          passThroughStatuses: [409],
        },
      );
      return 'released';
    } catch (error) {
      if (isUpstreamError(error, 'RESERVATION_COMMITTED')) return 'committed';
      throw error;
    }
  }

  async returnUnits(reservationId: string): Promise<void> {
    await this.http.post(UPSTREAM, reservationPath(reservationId, 'return'), undefined, {
      auth: 'service',
      idempotent: true,
    });
  }
}
