import type { PostConfirmationEvent, TriggerHandler } from './events.js';

/** What Post confirmation needs of an M2M token source: `M2MTokenService` from @helpline/auth fits. */
export interface ServiceTokenSource {
  getServiceToken(): Promise<string>;
}

export interface PostConfirmationOptions {
  userServiceUrl: string;
  tokens: ServiceTokenSource;
  timeoutMs: number;
}

/** The body of user-service's `POST /users`: idempotent on `sub`. */
export interface ProvisionUserRequest {
  sub: string;
  email: string;
  name: string;
}

const MAX_NAME_LENGTH = 200;

export class UserProvisioningError extends Error {
  readonly code = 'USER_PROVISIONING_FAILED';
}

/**
 * Post confirmation: creates the confirmed user in user-service with a client-credentials token.
 * user-service answers 201 (created) or 200 (that sub exists already), so a retried invocation — Lambda
 * retries, or identity running it again — leaves one user. Anything else fails the trigger; Cognito
 * then reports `PostConfirmation failed with error <message>.` to the caller.
 */
export function createPostConfirmationHandler(
  options: PostConfirmationOptions,
): TriggerHandler<PostConfirmationEvent> {
  const endpoint = new URL('/users', options.userServiceUrl).toString();
  return async (event) => {
    // A password reset confirms nothing new: the user exists in user-service already.
    if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;
    const attributes = event.request.userAttributes;
    const sub = attributes.sub;
    const email = attributes.email;
    if (!sub || !email) throw new UserProvisioningError('the confirmed user has no sub or email attribute');
    // user-service keeps names of at most 200 characters; Cognito allows 2048.
    const body: ProvisionUserRequest = {
      sub,
      email,
      name: (attributes.name || email).slice(0, MAX_NAME_LENGTH),
    };
    const token = await options.tokens.getServiceToken();
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'is unreachable';
      throw new UserProvisioningError(`user-service ${reason} (POST ${endpoint})`, { cause: error });
    }
    // Drain the body so the connection can be reused; its content is not needed.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status !== 201 && response.status !== 200) {
      throw new UserProvisioningError(`user-service answered ${response.status} to POST /users`);
    }
    return event;
  };
}
