export const USAGE_PLANS = 'gateway:usage-plans';
export const USAGE_LIMITER = 'gateway:usage-limiter';
export const LIMIT_STORE = 'gateway:limit-store';
export const UPSTREAM_URLS = 'gateway:upstream-urls';
