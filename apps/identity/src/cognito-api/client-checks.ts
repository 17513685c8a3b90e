import { createHmac, timingSafeEqual } from 'node:crypto';
import { CognitoError } from '../errors/cognito-error.js';
import type { AppClient } from '../pool/pool-definition.js';
import type { Pool } from '../pool/pool.js';

export function requireClient(pool: Pool, clientId: string): AppClient {
  const client = pool.client(clientId);
  if (!client)
    throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  return client;
}

/** The Admin* operations name the pool; only this one exists. */
export function requirePool(pool: Pool, userPoolId: string): void {
  if (userPoolId !== pool.id)
    throw new CognitoError('ResourceNotFoundException', `User pool ${userPoolId} does not exist.`);
}

/** Base64(HMAC-SHA256(client secret, username + client id)), as Cognito defines SECRET_HASH. */
export function secretHash(clientSecret: string, username: string, clientId: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId)
    .digest('base64');
}

/**
 * A client with a secret must prove it on every unauthenticated call. `usernames` are the names the hash
 * may have been computed with (only the one the caller sent, except for refresh, where it is the user's
 * Cognito username).
 */
export function assertSecretHash(
  client: AppClient,
  received: string | undefined,
  usernames: readonly string[],
): void {
  if (!client.clientSecret) return;
  if (!received) {
    throw new CognitoError(
      'NotAuthorizedException',
      `Client ${client.clientId} is configured with secret but SECRET_HASH was not received`,
    );
  }
  const given = Buffer.from(received);
  const matches = usernames.some((username) => {
    const expected = Buffer.from(secretHash(client.clientSecret as string, username, client.clientId));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!matches) {
    throw new CognitoError(
      'NotAuthorizedException',
      `Unable to verify secret hash for client ${client.clientId}`,
    );
  }
}

export function assertAuthFlow(
  client: AppClient,
  flow: AppClient['explicitAuthFlows'][number],
  name: string,
) {
  if (!client.explicitAuthFlows.includes(flow)) {
    throw new CognitoError('InvalidParameterException', `${name} flow not enabled for this client`);
  }
}
