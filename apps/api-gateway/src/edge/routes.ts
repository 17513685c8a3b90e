import type { UpstreamName } from '../config.js';

/** The prefix each upstream is routed under: `/users` and `/users/*` go to user-service. */
export const ROUTE_PREFIXES: Record<string, UpstreamName> = {
  '/users': 'user-service',
  '/orders': 'order-service',
  '/products': 'product-service',
};
