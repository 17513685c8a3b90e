import { type ConfigPart, type Env, milliseconds, readWithSchema, wholeNumber } from '@helpline/common';
import { z } from 'zod';
import { baseUrlProblem, type HttpClientModuleOptions } from './http-client.options.js';

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

/** The tunables a deployment may want to set without code: time limits, retries, the breaker. */
export type HttpClientTuning = Pick<
  HttpClientModuleOptions,
  'timeoutMs' | 'callBudgetMs' | 'retry' | 'breaker'
>;

/**
 * Reads UPSTREAM_TIMEOUT_MS, UPSTREAM_CALL_BUDGET_MS, UPSTREAM_RETRIES, UPSTREAM_BREAKER_FAILURES
 * and UPSTREAM_BREAKER_HALF_OPEN_MS (each optional; the library's defaults otherwise), as a part
 * for common's `assembleConfig`; spread the value into `HttpClientModule.forRoot`.
 */
export function readHttpClientTuning(env: Env): ConfigPart<HttpClientTuning> {
  const part = readWithSchema(
    z.object({
      UPSTREAM_TIMEOUT_MS: milliseconds({ max: 600_000 }).optional(),
      UPSTREAM_CALL_BUDGET_MS: milliseconds({ max: 600_000 }).optional(),
      UPSTREAM_RETRIES: wholeNumber({ max: 10 }).optional(),
      UPSTREAM_BREAKER_FAILURES: wholeNumber({ min: 1, max: 1_000 }).optional(),
      UPSTREAM_BREAKER_HALF_OPEN_MS: milliseconds({ max: 3_600_000 }).optional(),
    }),
    env,
  );
  if (!part.value) return { problems: part.problems };
  const v = part.value;
  const tuning: HttpClientTuning = {
    ...(v.UPSTREAM_TIMEOUT_MS !== undefined ? { timeoutMs: v.UPSTREAM_TIMEOUT_MS } : {}),
    ...(v.UPSTREAM_CALL_BUDGET_MS !== undefined ? { callBudgetMs: v.UPSTREAM_CALL_BUDGET_MS } : {}),
    ...(v.UPSTREAM_RETRIES !== undefined ? { retry: { maxRetries: v.UPSTREAM_RETRIES } } : {}),
    breaker: {
      ...(v.UPSTREAM_BREAKER_FAILURES !== undefined
        ? { consecutiveFailures: v.UPSTREAM_BREAKER_FAILURES }
        : {}),
      ...(v.UPSTREAM_BREAKER_HALF_OPEN_MS !== undefined
        ? { halfOpenAfterMs: v.UPSTREAM_BREAKER_HALF_OPEN_MS }
        : {}),
    },
  };
  return { value: tuning, problems: [] };
}
