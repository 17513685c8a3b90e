/**
 * What order-service needs from the other services, as the domain sees it. The gateways
 * (users.gateway.ts, stock.gateway.ts) implement these over @helpline/http; the order logic never
 * sees HTTP.
 */

/** The buyer, as user-service knows them. */
export interface Buyer {
  id: string;
  status: 'active' | 'disabled';
}

export interface BuyerDirectory {
  /**
   * The caller's own user, read with the caller's token (seed §3.4); `sub` is that token's
   * subject. Throws USER_NOT_PROVISIONED / USER_DISABLED.
   */
  current(sub: string): Promise<Buyer>;
}

export interface ReservedItem {
  productId: string;
  name: string;
  unitPrice: number;
  currency: string;
  quantity: number;
}

export interface Reservation {
  id: string;
  key: string;
  status: 'reserved' | 'committed' | 'released' | 'expired' | 'returned';
  items: ReservedItem[];
}

/** product-service's stock reservations, always called with order-service's own (M2M) token. */
export interface StockReservations {
  /** Reserves every item or none, idempotently by `key`; throws INSUFFICIENT_STOCK / PRODUCT_NOT_FOUND. */
  reserve(key: string, items: Array<{ productId: string; quantity: number }>): Promise<Reservation>;
  commit(reservationId: string): Promise<void>;
  /**
   * Makes sure the reservation made with `key` holds nothing: releases it, or — when none was made
   * because the request is still on its way or was lost — bars the key so that it never takes
   * stock. Says 'committed' when it was committed after all (the units are sold).
   */
  voidKey(key: string): Promise<'released' | 'committed'>;
  /** Gives back the units of a committed reservation (a cancelled order). Idempotent. */
  returnUnits(reservationId: string): Promise<void>;
}

export const BUYER_DIRECTORY = 'orders:buyer-directory';
export const STOCK_RESERVATIONS = 'orders:stock-reservations';
