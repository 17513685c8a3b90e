export { HttpClientModule, createDispatcher } from './http-client.module.js';
export { HTTP_CLIENT_OPTIONS, HTTP_CLIENT_TOKEN_SOURCE } from './http-client.constants.js';
export {
  DEFAULT_BREAKER_CONSECUTIVE_FAILURES,
  DEFAULT_BREAKER_HALF_OPEN_AFTER_MS,
  DEFAULT_CALL_BUDGET_MS,
  DEFAULT_FREE_SOCKET_TIMEOUT_MS,
  DEFAULT_MAX_FREE_SOCKETS,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_SOCKETS,
  DEFAULT_PASS_THROUGH_STATUSES,
  DEFAULT_RETRY_AFTER_SECONDS,
  DEFAULT_RETRY_INITIAL_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  DEFAULT_RETRY_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  MAX_RETRY_AFTER_SECONDS,
  resolveHttpClientOptions,
  validateHttpClientOptions,
} from './http-client.options.js';
export type {
  BreakerOptions,
  HttpClientModuleOptions,
  KeepAliveOptions,
  M2MTokenSource,
  ResolvedHttpClientOptions,
  RetryOptions,
} from './http-client.options.js';
export { ServiceHttpClient, encodePath } from './service-http-client.js';
export type {
  CallOptions,
  HttpMethod,
  QueryValue,
  ServiceTokenSource,
  UpstreamAuth,
  UpstreamRequest,
  UpstreamResponse,
} from './service-http-client.js';
export {
  LOCAL_UPSTREAMS,
  readHttpClientTuning,
  readUpstreamUrls,
  upstreamEnvName,
} from './upstream-config.js';
export type { HttpClientTuning } from './upstream-config.js';
export { UPSTREAM_ERROR_CODES, UpstreamError, isUpstreamError } from './upstream-error.js';
export type { UpstreamErrorCode, UpstreamErrorDetails } from './upstream-error.js';
export { RETRYABLE_STATUSES } from './upstream-policy.js';
export type { BreakerState } from './upstream-policy.js';
