/** The shapes the gateway serves (its OpenAPI document at /docs/json), as the console uses them. */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string;
  /** Minor units of `currency`. */
  price: number;
  currency: string;
  /** Units available now. */
  stock: number;
  createdAt: string;
  updatedAt: string;
}

export type ProductInput = Pick<Product, 'sku' | 'name' | 'description' | 'price' | 'currency' | 'stock'>;

export const ORDER_STATUSES = ['pending', 'confirmed', 'cancelled', 'failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderItem {
  productId: string;
  name: string;
  unitPrice: number;
  quantity: number;
}

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderItem[];
  total: number | null;
  currency: string | null;
  reason?: string;
  createdAt: string;
  updatedAt: string;
}

export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export interface User {
  id: string;
  sub: string;
  email: string;
  name: string;
  status: UserStatus;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  plan: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  usage?: { used: number; limit: number; resetsAt: string };
}

export interface CreatedApiKey extends ApiKey {
  /** Shown once. */
  key: string;
}

export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

export interface UsagePlan {
  description?: string;
  throttle?: Throttle;
  quota?: { limit: number; period: 'DAY' | 'WEEK' | 'MONTH' };
  methodThrottles?: Record<string, Throttle>;
}

export interface UsagePlans {
  plans: Record<string, UsagePlan>;
  keyless?: Record<string, UsagePlan>;
}
