import { defineErrors, DomainError, type ErrorCodeOf } from '@helpline/common';

/** product-service's reservation error codes and the HTTP status of each. */
export const RESERVATION_ERRORS = defineErrors({
  RESERVATION_NOT_FOUND: 404,
  INSUFFICIENT_STOCK: 409,
  RESERVATION_COMMITTED: 409,
  RESERVATION_RELEASED: 409,
  RESERVATION_EXPIRED: 409,
  RESERVATION_NOT_COMMITTED: 409,
  // The request is well-formed but means something else than the first one with this key.
  IDEMPOTENCY_KEY_REUSED: 422,
});

export type ReservationErrorCode = ErrorCodeOf<typeof RESERVATION_ERRORS>;

const fail = (code: ReservationErrorCode, detail: string, extra?: Record<string, unknown>) =>
  new DomainError(code, detail, { extra });

export const reservationNotFound = (id: string) =>
  fail('RESERVATION_NOT_FOUND', `No reservation with id ${id}`);

export interface Shortage {
  productId: string;
  requested: number;
  available: number;
}

/** Names every product that is short, with what was asked for and what there is. */
export const insufficientStock = (shortages: Shortage[]) =>
  fail(
    'INSUFFICIENT_STOCK',
    `Not enough stock: ${shortages
      .map((s) => `${s.productId} (requested ${s.requested}, available ${s.available})`)
      .join('; ')}`,
    { shortages },
  );

export const keyReused = (key: string, reservationId: string) =>
  fail(
    'IDEMPOTENCY_KEY_REUSED',
    `The key ${key} was used for reservation ${reservationId} with other items; use a new key`,
    { reservationId },
  );

export const reservationCommitted = (id: string) =>
  fail('RESERVATION_COMMITTED', `Reservation ${id} is committed: its units are no longer reserved`);

export const reservationReleased = (id: string) =>
  fail('RESERVATION_RELEASED', `Reservation ${id} was released: its units went back to stock`);

export const reservationExpired = (id: string) =>
  fail('RESERVATION_EXPIRED', `Reservation ${id} expired: its units went back to stock`);

export const reservationNotCommitted = (id: string) =>
  fail(
    'RESERVATION_NOT_COMMITTED',
    `Reservation ${id} was never committed: there are no sold units to return`,
  );

export const noReservationForKey = (key: string) =>
  fail('RESERVATION_NOT_FOUND', `No reservation was made with the key ${key}`);
