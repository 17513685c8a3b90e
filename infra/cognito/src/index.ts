export { describeLocalPool, LOCAL_IDENTITY_PORT, LOCAL_POOL, PROVISIONER_CLIENT_ID } from './local-pool.js';
export type { LocalDemoUser, LocalPool, LocalPoolClient, PoolFile } from './local-pool.js';
