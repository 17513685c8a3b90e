export const RESERVATION_WORKER_OPTIONS = 'orders:reservation-worker-options';
export const BUYER_CACHE_OPTIONS = 'orders:buyer-cache-options';
