export { ConfigError } from './config-error.js';
export { assembleConfig, parseEnv, readEnv } from './env.js';
export type { ConfigPart, Env, ReadEnvOptions } from './env.js';
export { checkObject, fromEnv, withRules } from './objects.js';
export type { EnvMapping } from './objects.js';
export {
  booleanFlag,
  httpUrl,
  isHttpUrl,
  list,
  milliseconds,
  oneOf,
  splitList,
  wholeNumber,
} from './schemas.js';
