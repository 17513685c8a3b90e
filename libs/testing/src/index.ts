export * from './issuer.js';
export * from './database.js';
