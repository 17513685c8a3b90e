import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** AWS API Gateway's throttle: a token bucket refilled at `rateLimit` a second, `burstLimit` deep. */
export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

export interface Quota {
  limit: number;
  period: QuotaPeriod;
}

export interface Plan {
  name: string;
  description?: string;
  throttle?: Throttle;
  quota?: Quota;
  /** `<resource path>/<HTTP method>` → a tighter throttle, as API Gateway's per-method throttles. */
  methodThrottles: Record<string, Throttle>;
}

export interface UsagePlans {
  /** Plans API keys are bound to. */
  plans: Record<string, Plan>;
  /** Budgets of callers without a key: one per user, one per client address. */
  keyless: { perUser?: Plan; perIp?: Plan };
}

/** The checked-in definition, shared with the CDK app. */
export const DEFAULT_PLANS_FILE = fileURLToPath(
  new URL('../../../../infra/gateway/usage-plans.json', import.meta.url),
);

const throttle = z.object({
  rateLimit: z.number().positive().max(1_000_000),
  burstLimit: z.number().int().min(1).max(10_000_000),
});
const planSchema = z.object({
  description: z.string().optional(),
  throttle: throttle.optional(),
  quota: z.object({ limit: z.number().int().min(1), period: z.enum(['DAY', 'WEEK', 'MONTH']) }).optional(),
  methodThrottles: z
    .record(
      z.string().regex(/^\/[^\s]*\/(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|\*)$/, 'a key like /orders/POST'),
      throttle,
    )
    .default({}),
});
const fileSchema = z.object({
  $comment: z.string().optional(),
  plans: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a lower-case plan name'), planSchema),
  keyless: z.object({ perUser: planSchema.optional(), perIp: planSchema.optional() }).default({}),
});

/** Reads and checks the usage-plans file; an invalid file stops the gateway naming every problem. */
export function loadUsagePlans(file = DEFAULT_PLANS_FILE): UsagePlans {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`usage plans: cannot read ${file}: ${(error as Error).message}`);
  }
  return parseUsagePlans(raw, file);
}

export function parseUsagePlans(raw: unknown, source = 'usage plans'): UsagePlans {
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`${source} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  const named = (name: string, plan: z.infer<typeof planSchema>): Plan => ({ name, ...plan });
  return {
    plans: Object.fromEntries(
      Object.entries(result.data.plans).map(([name, plan]) => [name, named(name, plan)]),
    ),
    keyless: {
      ...(result.data.keyless.perUser ? { perUser: named('keyless-user', result.data.keyless.perUser) } : {}),
      ...(result.data.keyless.perIp ? { perIp: named('keyless-ip', result.data.keyless.perIp) } : {}),
    },
  };
}

/**
 * The per-method throttle of a plan that applies to a request, API Gateway's way: the resource
 * path is the route (`/orders`, `/orders/*`), matched against the request path.
 */
export function methodThrottle(plan: Plan, method: string, path: string): Throttle | undefined {
  for (const [key, value] of Object.entries(plan.methodThrottles)) {
    const slash = key.lastIndexOf('/');
    const resource = key.slice(0, slash);
    const verb = key.slice(slash + 1);
    if (verb !== '*' && verb !== method) continue;
    if (resource === path || (resource.endsWith('/*') && path.startsWith(resource.slice(0, -1))))
      return value;
  }
  return undefined;
}
