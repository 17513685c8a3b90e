import { type HarnessResponse, type ServiceHarness, startServiceHarness } from '@helpline/testing';
import type { DestinationStream } from 'pino';
import { AppModule, OPEN_API } from '../app.module.js';
import { readUserServiceConfig, type UserServiceConfig } from '../config.js';

export type Response = HarnessResponse;
export type UserServiceHarness = ServiceHarness<UserServiceConfig>;

/**
 * user-service as it runs, on a database of its own, verifying tokens from a test issuer whose
 * audience includes the demo pool's service clients. For specs that talk to it over HTTP.
 */
export function startUserService(
  options: {
    env?: Record<string, string>;
    logDestination?: DestinationStream;
    /** A database of the caller's (dropped by the caller); default: a fresh test database. */
    databaseUrl?: string;
  } = {},
): Promise<UserServiceHarness> {
  return startServiceHarness({
    readConfig: readUserServiceConfig,
    module: (config, { logDestination }) => AppModule.forRoot(config, { logDestination }),
    openApi: OPEN_API,
    audience: ['user-provisioner', 'order-service'],
    ...options,
  });
}
