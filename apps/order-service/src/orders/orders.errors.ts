import { defineErrors, DomainError, type ErrorCodeOf } from '@helpline/common';

/** order-service's error codes and the HTTP status of each: the one place they meet. */
export const ORDER_ERRORS = defineErrors({
  ORDER_NOT_FOUND: 404,
  ORDER_NOT_CANCELLABLE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_USE: 409,
  INSUFFICIENT_STOCK: 409,
  PRODUCT_NOT_FOUND: 422,
  MIXED_CURRENCIES: 422,
  USER_NOT_PROVISIONED: 409,
  USER_DISABLED: 403,
});

export type OrderErrorCode = ErrorCodeOf<typeof ORDER_ERRORS>;

const fail = (code: OrderErrorCode, detail: string, extra?: Record<string, unknown>) =>
  new DomainError(code, detail, extra ? { extra } : {});

export const orderNotFound = (id: string) => fail('ORDER_NOT_FOUND', `No order ${id}`);

export const notCancellable = (status: string) =>
  fail('ORDER_NOT_CANCELLABLE', `A ${status} order cannot be cancelled; only a confirmed one can`);

export const idempotencyKeyReused = () =>
  fail(
    'IDEMPOTENCY_KEY_REUSED',
    'This Idempotency-Key was used for an order with other items; use a new key for a new order',
  );

export const idempotencyKeyInUse = () =>
  fail('IDEMPOTENCY_KEY_IN_USE', 'An order with this Idempotency-Key is still being placed; retry shortly');

export const insufficientStock = (shortages: unknown) =>
  fail('INSUFFICIENT_STOCK', 'Not enough stock for every item of the order', { shortages });

export const productNotFound = (detail: string) => fail('PRODUCT_NOT_FOUND', detail);

export const mixedCurrencies = (currencies: string[]) =>
  fail(
    'MIXED_CURRENCIES',
    `The items are priced in different currencies (${currencies.join(', ')}); order them apart`,
  );

export const userNotProvisioned = () =>
  fail('USER_NOT_PROVISIONED', 'No user is linked to this identity yet, so it cannot order');

export const userDisabled = () => fail('USER_DISABLED', 'This user is disabled and cannot order');
