import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../auth/console-context';
import type { ApiKey, Order, OrderStatus, Page, Product, UsagePlans, User } from './types';

export const PAGE_SIZE = 12;

/** Cursor pages: the cursors walked so far, back to the first page whenever `resetKey` changes. */
export function useCursorPages(resetKey: string) {
  const [state, setState] = useState<{ key: string; cursors: Array<string | undefined> }>({
    key: resetKey,
    cursors: [undefined],
  });
  const cursors = state.key === resetKey ? state.cursors : [undefined];
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    hasPrevious: cursors.length > 1,
    next: (cursor: string) => setState({ key: resetKey, cursors: [...cursors, cursor] }),
    previous: () => setState({ key: resetKey, cursors: cursors.slice(0, -1) }),
    reset: () => setState({ key: resetKey, cursors: [undefined] }),
  };
}

export function useProducts(q: string, cursor: string | undefined, limit = PAGE_SIZE) {
  const api = useApi();
  return useQuery({
    queryKey: ['products', { q, cursor, limit }],
    queryFn: () => api.get<Page<Product>>('/products', { q, cursor, limit }),
    placeholderData: keepPreviousData,
  });
}

export function useOrders(status: OrderStatus | '', cursor: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['orders', { status, cursor }],
    queryFn: () => api.get<Page<Order>>('/orders', { status, cursor, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
}

export function useMe() {
  const api = useApi();
  return useQuery({ queryKey: ['me'], queryFn: () => api.get<User>('/users/me') });
}

export function useUsers(filter: { email: string; status: string }, cursor: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['users', { ...filter, cursor }],
    queryFn: () => api.get<Page<User>>('/users', { ...filter, cursor, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
}

export function useApiKeys(cursor: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['api-keys', { cursor }],
    queryFn: () => api.get<Page<ApiKey>>('/admin/api-keys', { cursor, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
}

export function useUsagePlans() {
  const api = useApi();
  return useQuery({
    queryKey: ['usage-plans'],
    queryFn: () => api.get<UsagePlans>('/admin/usage-plans'),
    staleTime: 5 * 60_000,
  });
}
