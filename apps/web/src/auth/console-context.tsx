import type { QueryClient } from '@tanstack/react-query';
import type { UserManager } from 'oidc-client-ts';
import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/client';
import type { ConsoleConfig } from '../config';

/** What every page may need: the config, the OIDC client, the API client, and the provider's health. */
export interface ConsoleContextValue {
  config: ConsoleConfig;
  userManager: UserManager;
  api: ApiClient;
  queryClient: QueryClient;
  /** Set when the identity provider could not be reached; the app then shows a page saying so. */
  identityProblem: unknown;
  reportIdentityProblem(error: unknown): void;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside ConsoleContext');
  return value;
}

export function useApi(): ApiClient {
  return useConsole().api;
}
