export * from './config.js';
export * from './events.js';
export * from './handlers.js';
export * from './post-confirmation.js';
export * from './pre-sign-up.js';
export * from './pre-token-generation.js';
