import { defineErrors, DomainError, type ErrorCodeOf } from '@helpline/common';

/** product-service's product error codes and the HTTP status of each. */
export const PRODUCT_ERRORS = defineErrors({
  PRODUCT_NOT_FOUND: 404,
  SKU_TAKEN: 409,
  PRODUCT_RESERVED: 409,
});

export type ProductErrorCode = ErrorCodeOf<typeof PRODUCT_ERRORS>;

const fail = (code: ProductErrorCode, detail: string, extra?: Record<string, unknown>) =>
  new DomainError(code, detail, { extra });

export const productNotFound = (id: string) => fail('PRODUCT_NOT_FOUND', `No product with id ${id}`);

/** Some of the products a reservation names do not exist; all of them are named. */
export const productsNotFound = (ids: string[]) =>
  fail('PRODUCT_NOT_FOUND', `No product with id ${ids.join(', ')}`, { productIds: ids });

export const skuTaken = (sku: string) => fail('SKU_TAKEN', `The sku ${sku} belongs to another product`);

export const productReserved = (id: string) =>
  fail(
    'PRODUCT_RESERVED',
    `Product ${id} is held by open reservations; it can be deleted once they are committed, released or expired`,
  );
