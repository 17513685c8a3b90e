export const PRODUCTS_SEED_OPTIONS = 'products:seed-options';
