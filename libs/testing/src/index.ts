export * from './issuer.js';
export * from './database.js';
export { createTestKeyPool } from './keys-pool.js';
export { freePort } from './ports.js';
export { LogCapture } from './log-capture.js';
export * from './fault-proxy.js';
export * from './service-harness.js';
export { encodeEveryByte, expectHandledRequest } from './handled-request.js';
