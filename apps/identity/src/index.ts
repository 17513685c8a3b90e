export type { Clock } from './clock.js';
export { ConfigError, DEFAULT_TOKEN_TTL, loadConfig, type IdentityConfig, type TokenTtl } from './config.js';
export { createLogger } from './logger.js';
export { defaultPoolFile, loadPoolFile, parsePoolDefinition } from './pool/load-pool.js';
export type { AppClient, PoolDefinition, PoolDefinitionInput } from './pool/pool-definition.js';
export {
  buildIdentityServer,
  startIdentityServer,
  type IdentityServer,
  type IdentityServerOptions,
  type RunningIdentityServer,
} from './server.js';
export { secretHash } from './cognito-api/client-checks.js';
