/**
 * CloudWatch Logs filter patterns for lines the apps write, kept apart from the CDK so that a
 * test at the root (test/log-patterns.spec.ts) can check them against lines the apps really
 * write: a pattern that matches nothing makes an alarm that never fires.
 */

/**
 * A request the NestJS gateway refused 429: its access line for a proxied request
 * (apps/api-gateway/src/edge/access-log.ts) says `"status":429`; the line for one of its own
 * routes (libs/common's request log) says `"res":{"statusCode":429}`.
 */
export const GATEWAY_THROTTLED = '{ ($.status = 429) || ($.res.statusCode = 429) }';

/** A failed attempt of one of order-service's outbox tasks ("release for order … failed (…); attempt n, …"). */
export const OUTBOX_RETRY = '{ $.msg = "*failed*attempt*" }';

/**
 * The NestJS gateway lost its Redis (apps/api-gateway/src/limits/limits.module.ts): from then on
 * each task enforces the usage plans alone, so a caller's budget is multiplied by the task count.
 * Logged once per outage, when it begins.
 */
export const GATEWAY_REDIS_FAILING = '{ $.msg = "Redis is failing*" }';
