import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { AuthProvider } from 'react-oidc-context';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ApiError } from './api/problem';
import { createApiClient } from './api/client';
import { ConsoleContext, type ConsoleContextValue } from './auth/console-context';
import { RequireAuth } from './auth/require-auth';
import { createUserManager } from './auth/user-manager';
import { Layout } from './components/layout';
import type { ConsoleConfig } from './config';
import { ApiKeysPage } from './pages/api-keys-page';
import { CallbackPage } from './pages/callback-page';
import { CartPage } from './pages/cart-page';
import { IdentityDownPage } from './pages/identity-down-page';
import { ManageProductsPage } from './pages/manage-products-page';
import { NotFoundPage } from './pages/not-found-page';
import { OrdersPage } from './pages/orders-page';
import { ProductsPage } from './pages/products-page';
import { ProfilePage } from './pages/profile-page';
import { StartPage } from './pages/start-page';
import { UsersPage } from './pages/users-page';

/** Client errors are answers, not glitches: only a failed connection or a 5xx is worth a retry. */
function shouldRetry(failures: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status > 0 && error.status < 500) return false;
  return failures < 2;
}

export function App({ config }: { config: ConsoleConfig }) {
  const [userManager] = useState(() => createUserManager(config));
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { retry: shouldRetry, staleTime: 15_000, refetchOnWindowFocus: false },
          mutations: { retry: false },
        },
      }),
  );
  const [identityProblem, reportIdentityProblem] = useState<unknown>(null);
  const api = useMemo(
    () =>
      createApiClient(config.apiUrl, {
        accessToken: async () => (await userManager.getUser())?.access_token,
        renew: async () => {
          try {
            return (await userManager.signinSilent())?.access_token;
          } catch {
            return undefined;
          }
        },
      }),
    [config.apiUrl, userManager],
  );
  const context = useMemo<ConsoleContextValue>(
    () => ({ config, userManager, api, queryClient, identityProblem, reportIdentityProblem }),
    [config, userManager, api, queryClient, identityProblem],
  );

  return (
    <ConsoleContext.Provider value={context}>
      <AuthProvider userManager={userManager}>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <Layout>
              {identityProblem ? (
                <IdentityDownPage />
              ) : (
                <Routes>
                  <Route path="/" element={<StartPage />} />
                  <Route path="/callback" element={<CallbackPage />} />
                  <Route path="/products" element={<RequireAuth page={<ProductsPage />} />} />
                  <Route path="/cart" element={<RequireAuth page={<CartPage />} />} />
                  <Route path="/orders" element={<RequireAuth page={<OrdersPage scope="mine" />} />} />
                  <Route path="/profile" element={<RequireAuth page={<ProfilePage />} />} />
                  <Route
                    path="/manage/orders"
                    element={<RequireAuth groups={['admin', 'manager']} page={<OrdersPage scope="all" />} />}
                  />
                  <Route
                    path="/manage/products"
                    element={<RequireAuth groups={['admin', 'manager']} page={<ManageProductsPage />} />}
                  />
                  <Route
                    path="/admin/users"
                    element={<RequireAuth groups={['admin']} page={<UsersPage />} />}
                  />
                  <Route
                    path="/admin/api-keys"
                    element={<RequireAuth groups={['admin']} page={<ApiKeysPage />} />}
                  />
                  <Route path="*" element={<NotFoundPage />} />
                </Routes>
              )}
            </Layout>
          </BrowserRouter>
        </QueryClientProvider>
      </AuthProvider>
    </ConsoleContext.Provider>
  );
}
