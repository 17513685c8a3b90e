import { describe, expect, it } from 'vitest';
import { isProxied } from './mount-edge.js';

describe('which requests go to the edge instance', () => {
  it('takes a proxy prefix alone, with a path under it, or with a query', () => {
    for (const url of ['/users', '/users/', '/users/me', '/users?limit=2', '/orders/1/cancel', '/products']) {
      expect(isProxied(url), url).toBe(true);
    }
  });

  it("leaves everything else to Nest's instance, which answers it or says 404", () => {
    for (const url of [
      '',
      '/',
      '/usersx',
      '/Users',
      '/admin/api-keys',
      '/health/ready',
      '//users',
      '/docs',
    ]) {
      expect(isProxied(url), url).toBe(false);
    }
  });
});
