/** Who may do what with products and reservations, in one place; the controllers' decorators apply it. */

/** Creating, changing and deleting products. Anyone signed in may read them. */
export const PRODUCT_MANAGER_ROLES = ['admin', 'manager'] as const;

/** Reserving, releasing and committing stock: order-service's client-credentials token. */
export const PRODUCT_WRITE_SCOPE = 'service/product.write';

/** People who may also work reservations by hand (releasing a stuck one, say). */
export const RESERVATION_ROLES = ['admin'] as const;
