import { readTriggerConfig, type TriggerConfig } from './config.js';
import type {
  PostConfirmationEvent,
  PreSignUpEvent,
  PreTokenGenerationEvent,
  TriggerHandlers,
} from './events.js';
import { createPostConfirmationHandler, type ServiceTokenSource } from './post-confirmation.js';
import { createPreSignUpHandler } from './pre-sign-up.js';
import { createPreTokenGenerationHandler } from './pre-token-generation.js';

export interface TriggerDependencies {
  /** Replaces the client-credentials token source built from the config (tests, or a shared instance). */
  tokens?: ServiceTokenSource;
}

/** Every handler, built from one configuration: identity calls this with its own settings. */
export function createTriggerHandlers(
  config: TriggerConfig,
  dependencies: TriggerDependencies = {},
): TriggerHandlers {
  let tokens: Promise<ServiceTokenSource> | undefined =
    dependencies.tokens && Promise.resolve(dependencies.tokens);
  // Built on first use, so that a missing secret fails Post confirmation and not the other triggers, and so
  // that @helpline/auth (and NestJS under it) loads only where Post confirmation runs.
  const tokenSource: ServiceTokenSource = {
    getServiceToken: async () => {
      if (!tokens) {
        const clientSecret = config.clientSecret;
        if (!clientSecret) throw new Error('SERVICE_CLIENT_SECRET is not set: cannot obtain a service token');
        tokens = import('@helpline/auth').then(
          ({ M2MTokenService }) =>
            new M2MTokenService({
              tokenUrl: config.tokenUrl,
              clientId: config.clientId,
              clientSecret,
              scope: config.scope,
              timeoutMs: config.timeoutMs,
            }),
        );
      }
      return (await tokens).getServiceToken();
    },
  };
  return {
    preSignUp: createPreSignUpHandler({ allowedEmailDomains: config.allowedEmailDomains }),
    postConfirmation: createPostConfirmationHandler({
      userServiceUrl: config.userServiceUrl,
      tokens: tokenSource,
      timeoutMs: config.timeoutMs,
    }),
    preTokenGeneration: createPreTokenGenerationHandler(),
  };
}

// The Lambda entry points: configured from env on the first invocation, then reused while the container
// is warm (which also keeps the service token cached between invocations).
let fromEnv: TriggerHandlers | undefined;
const handlers = (): TriggerHandlers => (fromEnv ??= createTriggerHandlers(readTriggerConfig()));

export const preSignUp = (event: PreSignUpEvent): Promise<PreSignUpEvent> => handlers().preSignUp(event);
export const postConfirmation = (event: PostConfirmationEvent): Promise<PostConfirmationEvent> =>
  handlers().postConfirmation(event);
export const preTokenGeneration = (event: PreTokenGenerationEvent): Promise<PreTokenGenerationEvent> =>
  handlers().preTokenGeneration(event);
