import { useSyncExternalStore } from 'react';
import type { Product } from '../api/types';

export interface CartItem {
  productId: string;
  sku: string;
  name: string;
  price: number;
  currency: string;
  quantity: number;
}

export interface Cart {
  items: CartItem[];
  /**
   * The Idempotency-Key of the order this cart would become. It changes with the cart's contents,
   * so that placing the same cart twice (a double click, a retry after a lost answer) makes one
   * order, and a changed cart makes a new one.
   */
  checkoutKey: string;
}

/** order-service's limits (items per order, units per item). */
export const MAX_QUANTITY = 1000;
export const MAX_ITEMS = 50;

const STORAGE_KEY = 'helpline.cart';
const listeners = new Set<() => void>();
let cart: Cart = load();

function load(): Cart {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Cart | null;
    if (saved && Array.isArray(saved.items) && typeof saved.checkoutKey === 'string') return saved;
  } catch {
    // A damaged entry: start with an empty cart.
  }
  return { items: [], checkoutKey: crypto.randomUUID() };
}

function update(items: CartItem[]): void {
  cart = { items, checkoutKey: crypto.randomUUID() };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(cart));
  for (const listener of listeners) listener();
}

export function useCart(): Cart {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => cart,
  );
}

/** Adds units of a product; the quantity is capped at what one order may hold. */
export function addToCart(product: Product, quantity: number): void {
  const existing = cart.items.find((item) => item.productId === product.id);
  if (existing) {
    setQuantity(product.id, existing.quantity + quantity);
    return;
  }
  update([
    ...cart.items,
    {
      productId: product.id,
      sku: product.sku,
      name: product.name,
      price: product.price,
      currency: product.currency,
      quantity: Math.min(quantity, MAX_QUANTITY),
    },
  ]);
}

export function setQuantity(productId: string, quantity: number): void {
  update(
    cart.items.map((item) =>
      item.productId === productId
        ? { ...item, quantity: Math.min(Math.max(quantity, 1), MAX_QUANTITY) }
        : item,
    ),
  );
}

export function removeFromCart(productId: string): void {
  update(cart.items.filter((item) => item.productId !== productId));
}

export function clearCart(): void {
  update([]);
}
