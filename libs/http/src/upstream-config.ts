import type { ConfigPart, Env } from '@helpline/common';
import { baseUrlProblem } from './http-client.options.js';

/** Where the services listen under `npm start`; used outside production when a variable is unset. */
export const LOCAL_UPSTREAMS: Readonly<Record<string, string>> = {
  'user-service': 'http://localhost:3000',
  'order-service': 'http://localhost:3001',
  'product-service': 'http://localhost:3002',
};

/** `user-service` → `USER_SERVICE_URL`. */
export function upstreamEnvName(upstream: string): string {
  return `${upstream.replace(/-/g, '_').toUpperCase()}_URL`;
}

/**
 * Reads `<UPSTREAM>_URL` for each upstream (`USER_SERVICE_URL`, `PRODUCT_SERVICE_URL`…), reporting
 * every problem at once, as a part for common's `assembleConfig`. Outside production an unset
 * variable falls back to the service's local address ({@link LOCAL_UPSTREAMS}, or `localDefaults`).
 */
export function readUpstreamUrls<N extends string>(
  env: Env,
  upstreams: readonly N[],
  options: { localDefaults?: Readonly<Record<string, string>> } = {},
): ConfigPart<Record<N, string>> {
  const localDefaults = env.NODE_ENV === 'production' ? {} : (options.localDefaults ?? LOCAL_UPSTREAMS);
  const problems: string[] = [];
  const value = {} as Record<N, string>;
  for (const upstream of upstreams) {
    const variable = upstreamEnvName(upstream);
    const url = env[variable]?.trim() || localDefaults[upstream];
    if (!url) {
      problems.push(`${variable} is required (the base URL of ${upstream}, e.g. http://${upstream}:3000)`);
      continue;
    }
    const problem = baseUrlProblem(url);
    if (problem) problems.push(`${variable}: ${problem}`);
    else value[upstream] = url;
  }
  return problems.length > 0 ? { problems } : { value, problems };
}
