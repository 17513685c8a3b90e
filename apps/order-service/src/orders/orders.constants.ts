export const RESERVATION_WORKER_OPTIONS = 'orders:reservation-worker-options';
